"""E-mail notification of each new message: one e-mail per message per recipient, exactly once."""

from django.db import transaction
from django.utils import timezone

from accounts.roles import academy_staff_users
from applications.selectors import confirmed_member_emails
from foerderportal.delivery import deliver

from . import emails
from .models import Message, MessageNotification


def message_recipients(message: Message) -> list[str]:
    """The other side: the municipality's confirmed members, or the academy's staff; never the author."""
    if message.from_academy:
        addresses = confirmed_member_emails(message.application.organisation_id)
    else:
        addresses = sorted(set(academy_staff_users().exclude(email="").values_list("email", flat=True)))
    own = message.author.email if message.author else None
    return [address for address in addresses if address != own]


def notify_message(*, message_id: int, now=None) -> int:
    """E-mail ``message`` to each recipient exactly once; returns how many e-mails went out now.

    Idempotent: one ``MessageNotification`` row per (message, recipient), inserted before sending
    (``ON CONFLICT DO NOTHING``); each row is sent under its lock and stamped in the same transaction.
    """
    now = now or timezone.now()
    message = Message.objects.select_related("application__organisation", "author").get(pk=message_id)
    MessageNotification.objects.bulk_create(
        [MessageNotification(message=message, recipient=r, claimed_at=now) for r in message_recipients(message)],
        ignore_conflicts=True,
    )
    sent = 0
    for pk in message.notifications.filter(sent_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            row = (
                MessageNotification.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if row is None:
                continue
            # A temporary refusal raises (the task retries); a permanent one is in the delivery log.
            deliver(emails.message_notification(message, row.recipient), now=now).raise_if_deferred()
            row.sent_at = now
            row.save(update_fields=["sent_at"])
            sent += 1
    return sent
