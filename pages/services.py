"""Writes of the pages app: contact messages (stored, e-mailed once) and the documents of a call."""

from django.db import transaction

from foerderportal.files import store_upload

from . import tasks
from .models import ContactMessage, RoundDocument


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
