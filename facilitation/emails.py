"""The report reminder e-mail: subject, text and HTML from ``templates/facilitation/emails/``.

Built with ``foerderportal.mail.build_templated_mail`` and a deterministic Message-ID
(see ``facilitation.reminders``).
"""

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from applications.selectors import confirmed_member_emails
from foerderportal.mail import AUTOMATIC, build_templated_mail, stable_message_id


def report_recipients(report):
    """Confirmed, active members of the municipality plus its internal project lead, each address once."""
    facilitation = report.facilitation
    members = confirmed_member_emails(facilitation.application.organisation_id)
    return sorted({address.strip().lower() for address in [*members, facilitation.lead_email] if address})


def message_id(report_id, kind) -> str:
    return stable_message_id(f"berichtserinnerung.b{report_id}.{kind}")


def report_reminder(reminder, recipients) -> EmailMultiAlternatives:
    report = reminder.report
    facilitation = report.facilitation
    context = {
        "report": report,
        "kind": reminder.kind,
        "facilitation": facilitation,
        "organisation": facilitation.application.organisation,
        "url": reverse("facilitation:report", args=[facilitation.pk, report.pk]),
    }
    headers = {"Message-ID": message_id(report.pk, reminder.kind), **AUTOMATIC}
    return build_templated_mail("facilitation/emails/report_reminder", context, recipients, headers=headers)
