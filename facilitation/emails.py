"""The report reminder e-mail: subject, text and HTML from ``templates/facilitation/emails/``.

Built here rather than with ``foerderportal.mail.send_templated_mail`` because the message
needs a deterministic Message-ID (see ``facilitation.reminders``); the rendering is the same.
"""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from applications.models import Membership


def report_recipients(report):
    """Confirmed, active members of the municipality plus its internal project lead, each address once."""
    facilitation = report.facilitation
    addresses = Membership.objects.filter(
        organisation_id=facilitation.application.organisation_id,
        status=Membership.Status.CONFIRMED,
        user__is_active=True,
    ).values_list("user__email", flat=True)
    return sorted({address.strip().lower() for address in [*addresses, facilitation.lead_email] if address})


def message_id(report_id, kind) -> str:
    """The same Message-ID for every attempt at one reminder, so a resend is recognisably the same message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "foerderportal.invalid"
    return f"<berichtserinnerung.b{report_id}.{kind}@{domain}>"


def report_reminder(reminder, recipients) -> EmailMultiAlternatives:
    report = reminder.report
    facilitation = report.facilitation
    context = {
        "site_url": settings.SITE_URL,
        "report": report,
        "kind": reminder.kind,
        "facilitation": facilitation,
        "organisation": facilitation.application.organisation,
        "url": reverse("facilitation:report", args=[facilitation.pk, report.pk]),
    }
    with override("de"):
        subject = " ".join(render_to_string("facilitation/emails/report_reminder_subject.txt", context).split())
        text = render_to_string("facilitation/emails/report_reminder.txt", context)
        html = render_to_string("facilitation/emails/report_reminder.html", context)
    headers = {"Message-ID": message_id(report.pk, reminder.kind), "Auto-Submitted": "auto-generated"}
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients, headers=headers)
    message.attach_alternative(html, "text/html")
    return message
