"""E-mails about letters; each takes primary keys so a task can call it."""

from django.urls import reverse

from applications.selectors import confirmed_member_emails
from foerderportal.mail import send_templated_mail

from .models import Letter


def send_receipt(letter_id):
    """Eingangsbestätigung to every confirmed member of the applicant, linking the receipt PDF."""
    letter = Letter.objects.select_related(
        "application__organisation", "application__funding_round", "application__submitted_by"
    ).get(pk=letter_id)
    application = letter.application
    return send_templated_mail(
        "receipt",
        {
            "application": application,
            "url": reverse("applications:receipt", args=[application.pk]),
            "pdf_url": reverse("letters:download", args=[letter.pk]),
        },
        confirmed_member_emails(application.organisation_id),
    )


def send_letter_ready(letter_id):
    """The e-mail "Ihr Bescheid liegt vor" to every confirmed member, with a link to the dashboard."""
    letter = Letter.objects.select_related("application__organisation", "application__funding_round").get(pk=letter_id)
    return send_templated_mail(
        "letter_ready",
        {
            "letter": letter,
            "application": letter.application,
            "is_decision": letter.kind in (Letter.Kind.AWARD, Letter.Kind.REJECTION),
            "url": reverse("applications:dashboard"),
        },
        confirmed_member_emails(letter.application.organisation_id),
    )
