"""Writes of the pages app: contact messages (stored, e-mailed once) and the documents of a call."""

from django.db import transaction
from django.utils import timezone

from foerderportal.files import store_upload

from . import tasks
from .models import ContactDetails, ContactMessage, RoundDocument


def send_contact_message(*, name: str, email: str, subject: str, message: str, page: str = "") -> ContactMessage:
    """Store a contact message and e-mail it to the academy once the transaction commits."""
    with transaction.atomic():
        contact = ContactMessage.objects.create(name=name, email=email, subject=subject, message=message, page=page)
        transaction.on_commit(lambda: tasks.mail_contact_message.delay(contact.pk), robust=True)
    return contact


def save_round_document(*, document: RoundDocument, uploaded_file=None) -> RoundDocument:
    """Save a document of a call; a new file is checked and stored first (raises ``UploadRejected``,
    German message). A replaced file is deleted once the transaction commits."""
    with transaction.atomic():
        if uploaded_file is not None:
            store_upload(document, uploaded_file)
        document.full_clean()
        document.save()
    return document


def save_contact_details(*, details: ContactDetails, changed: bool, confirm: bool, by) -> ContactDetails:
    """Save the academy's contact data (``changed``: an entry differs from the stored one).

    ``confirm``: the person checked every entry against the academy's own records. A change without
    that check withdraws an earlier confirmation, so the admin shows again that the data wait for one.
    """
    with transaction.atomic():
        if confirm:
            details.confirmed_at, details.confirmed_by = timezone.now(), by
        elif changed:
            details.confirmed_at, details.confirmed_by = None, None
        details.full_clean()
        details.save()
    return details
