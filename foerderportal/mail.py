"""One way to build and send an e-mail: subject, text and HTML from templates, in German.

Every templated e-mail goes out through ``foerderportal.delivery.deliver``: one log row per
recipient, a recipient whose server accepted it never gets it again, a temporary refusal is retried.
"""

import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import override

from .delivery import DeliveryDeferred, DeliveryResult, deliver, stable_message_id

__all__ = [
    "AUTOMATIC",
    "DeliveryDeferred",
    "DeliveryResult",
    "build_templated_mail",
    "deliver",
    "send_templated_mail",
    "stable_message_id",
]


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


def send_templated_mail(template, context, recipients, *, key=None, headers=None):
    """Send ``templates/emails/<template>*`` to the non-empty recipients who do not have it yet.

    ``key`` names the message for the delivery log (its Message-ID derives from it): the same key on
    a retry reaches only the recipients not yet reached. Without one, each call is a new message.
    Returns the number of messages sent (0 or 1); raises ``DeliveryDeferred`` once the outcome is
    recorded when a recipient was refused for now, so the calling task retries.
    """
    recipients = [r for r in recipients if r]
    if not recipients:
        return 0
    key = key or f"{template.replace('/', '.')}.{uuid.uuid4().hex}"
    headers = {"Message-ID": stable_message_id(key), **(headers or {})}
    result = deliver(build_templated_mail(f"emails/{template}", context, recipients, headers=headers), key=key)
    result.raise_if_deferred()
    return 1 if result.accepted else 0


# RFC 3834: an automatic message; out-of-office replies should not answer it.
AUTOMATIC = {"Auto-Submitted": "auto-generated"}
