"""One way to build and send an e-mail: subject, text and HTML from templates, in German."""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import override


def build_templated_mail(template_path, context, recipients, *, headers=None):
    """Render ``<template_path>_subject.txt``, ``.txt`` and ``.html`` into one message (not sent)."""
    context = {"site_url": settings.SITE_URL, **context}
    with override("de"):
        subject = " ".join(render_to_string(f"{template_path}_subject.txt", context).split())
        text = render_to_string(f"{template_path}.txt", context)
        html = render_to_string(f"{template_path}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_templated_mail(template, context, recipients):
    """Send ``templates/emails/<template>*`` to the non-empty recipients; returns the number sent."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return 0
    return build_templated_mail(f"emails/{template}", context, recipients).send()


def stable_message_id(local_part):
    """A Message-ID that is the same for every attempt at one message, so a resend is recognisably the same."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "foerderportal.invalid"
    return f"<{local_part}@{domain}>"


# RFC 3834: an automatic message; out-of-office replies should not answer it.
AUTOMATIC = {"Auto-Submitted": "auto-generated"}
