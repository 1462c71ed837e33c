"""E-mails about letters; each takes primary keys so a task can call it.

Each has a key per letter (``eingangsbestaetigung.l<id>``, ``bescheid.l<id>``): a retry reaches only
the recipients whose server has not accepted it yet (``foerderportal.delivery``).
"""

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
        key=f"eingangsbestaetigung.l{letter.pk}",
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
        key=f"bescheid.l{letter.pk}",
    )


def send_announcement(letter_id):
    """The e-mail that announces a released letter: the receipt's own, or "Ihr Bescheid liegt vor"."""
    if Letter.objects.filter(pk=letter_id, kind=Letter.Kind.RECEIPT).exists():
        return send_receipt(letter_id)
    return send_letter_ready(letter_id)
