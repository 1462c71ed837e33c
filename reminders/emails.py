"""The deadline reminder e-mail: subject, text and HTML from ``templates/emails/deadline_reminder*``.

Built here rather than with ``foerderportal.mail.send_templated_mail`` because the message
needs a deterministic Message-ID (see ``reminders.services``); the rendering is the same.
"""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from applications.services import format_deadline, missing_items


def message_id(funding_round_id, organisation_id, offset_days) -> str:
    """The same Message-ID for every attempt at one reminder, so a resend is recognisably the same message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "foerderportal.invalid"
    return f"<erinnerung.r{funding_round_id}.o{organisation_id}.t{offset_days}@{domain}>"


def deadline_reminder(reminder, application, recipients, now) -> EmailMultiAlternatives:
    """The reminder for ``application`` to ``recipients`` (one message, one Message-ID)."""
    funding_round = application.funding_round
    context = {
        "site_url": settings.SITE_URL,
        "application": application,
        "organisation": application.organisation,
        "funding_round": funding_round,
        "deadline": format_deadline(funding_round.deadline),
        "days_left": funding_round.days_left(now),
        "missing": missing_items(application),
        "url": settings.SITE_URL + reverse("applications:overview", args=[application.pk]),
    }
    with override("de"):
        subject = " ".join(render_to_string("emails/deadline_reminder_subject.txt", context).split())
        text = render_to_string("emails/deadline_reminder.txt", context)
        html = render_to_string("emails/deadline_reminder.html", context)
    headers = {
        "Message-ID": message_id(reminder.funding_round_id, reminder.organisation_id, reminder.offset_days),
        # RFC 3834: an automatic message; out-of-office replies should not answer it.
        "Auto-Submitted": "auto-generated",
    }
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients, headers=headers)
    message.attach_alternative(html, "text/html")
    return message
