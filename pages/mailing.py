"""E-mailing a contact message to the academy: exactly once per message."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from foerderportal.mail import AUTOMATIC, build_templated_mail, deliver, stable_message_id

from .models import ContactMessage


def mail_contact_message(*, contact_id: int, now=None) -> bool:
    """E-mail one contact message to the academy; True if sent now, False if it had been sent already."""
    now = now or timezone.now()
    with transaction.atomic():
        contact = ContactMessage.objects.select_for_update().filter(pk=contact_id, sent_at__isnull=True).first()
        if contact is None:
            return False
        mail = build_templated_mail(
            "emails/contact_message",
            {"contact": contact},
            [settings.CONTACT_EMAIL],
            headers={**AUTOMATIC, "Message-ID": stable_message_id(f"kontakt-{contact.pk}"), "Reply-To": contact.email},
        )
        deliver(mail, now=now).raise_if_deferred()
        contact.sent_at = now
        contact.save(update_fields=["sent_at"])
    return True
