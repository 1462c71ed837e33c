"""E-mails of requests and messages: templates under ``templates/correspondence/emails/``.

The notification names the application and links to the thread; the message itself is read after
login (an e-mail is no safe channel for its content or attachment).
"""

import hashlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from foerderportal.mail import AUTOMATIC, build_templated_mail, stable_message_id


def message_notification(message, recipient) -> EmailMultiAlternatives:
    """The e-mail announcing ``message`` to one ``recipient`` (same Message-ID on every attempt)."""
    application = message.application
    if message.from_academy:
        url = reverse("correspondence:messages", args=[application.pk])
    else:
        url = reverse("admin:correspondence_message_changelist") + f"?application__id__exact={application.pk}"
    context = {
        "application": application,
        "organisation": application.organisation,
        "from_academy": message.from_academy,
        "url": settings.SITE_URL + url,
    }
    digest = hashlib.sha256(recipient.lower().encode()).hexdigest()[:16]
    headers = {"Message-ID": stable_message_id(f"nachricht.m{message.pk}.{digest}"), **AUTOMATIC}
    return build_templated_mail("correspondence/emails/message", context, [recipient], headers=headers)


def request_reminder_message_id(request_id) -> str:
    return stable_message_id(f"rueckfrage.q{request_id}")


def request_reminder(reminder, recipients, days_left) -> EmailMultiAlternatives:
    """The reminder before a request's due date, to the municipality's confirmed members."""
    request = reminder.request
    application = request.application
    context = {
        "application": application,
        "organisation": application.organisation,
        "due_on": request.due_on,
        "days_left": days_left,
        "url": settings.SITE_URL + reverse("correspondence:requests", args=[application.pk]),
    }
    headers = {"Message-ID": request_reminder_message_id(request.pk), **AUTOMATIC}
    return build_templated_mail("correspondence/emails/request_reminder", context, recipients, headers=headers)
