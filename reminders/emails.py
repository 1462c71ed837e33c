"""The deadline reminder e-mail: subject, text and HTML from ``templates/emails/deadline_reminder*``.

Built with ``foerderportal.mail.build_templated_mail`` and a deterministic Message-ID
(see ``reminders.services``): the sender decides when the built message goes out.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from applications.services import missing_items
from foerderportal.formatting import format_deadline
from foerderportal.mail import AUTOMATIC, build_templated_mail, stable_message_id


def message_id(funding_round_id, organisation_id, offset_days) -> str:
    return stable_message_id(f"erinnerung.r{funding_round_id}.o{organisation_id}.t{offset_days}")


def deadline_reminder(reminder, application, recipients, now) -> EmailMultiAlternatives:
    """The reminder for ``application`` to ``recipients`` (one message, one Message-ID)."""
    funding_round = application.funding_round
    context = {
        "application": application,
        "organisation": application.organisation,
        "funding_round": funding_round,
        "deadline": format_deadline(funding_round.deadline),
        "days_left": funding_round.days_left(now),
        "missing": missing_items(application),
        "url": settings.SITE_URL + reverse("applications:overview", args=[application.pk]),
    }
    headers = {
        "Message-ID": message_id(reminder.funding_round_id, reminder.organisation_id, reminder.offset_days),
        **AUTOMATIC,
    }
    return build_templated_mail("emails/deadline_reminder", context, recipients, headers=headers)
