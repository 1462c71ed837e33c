"""The exactly-once engine behind every reminder: claim → send → confirm on a sent-log.

A kind of reminder (``ReminderKind``) names its sent-log model (a ``reminders.models.SentLog``
with a unique constraint over the key of one reminder) and supplies the rules: which reminders
are due at ``now``, why a claimed one is not sent after all, to whom, and the message. The
engine does the rest, the same way for every kind (deadline reminders in
``reminders.services``, report reminders in ``facilitation.reminders``):

1. Claim (``claim_due``). One INSERT of a ``claimed`` row per candidate, in its own committed
   statement, before any e-mail goes out: ``bulk_create(ignore_conflicts=True)`` (``INSERT …
   ON CONFLICT DO NOTHING``, the set-based form of "INSERT and catch IntegrityError"), tagged
   with a fresh ``claim_token``. The unique constraint lets one claimer win; the rows carrying
   the token are the ones this call won. A second beat tick or worker inserts nothing.
2. Send (``send``). Lock the claimed row (``SELECT … FOR UPDATE SKIP LOCKED``, only while it is
   still ``claimed``), re-check the kind's ``skip_reason`` with the current time, send one
   e-mail with the kind's deterministic Message-ID. The lock is held while SMTP takes the
   message, so two senders never work on the same row at once.
3. Confirm. In the same transaction the row becomes ``sent`` (``sent_at``, recipients and, where
   the log has the column, the Message-ID); the commit releases the lock.

Failures:
- SMTP or connection error, or a recipient refused for now (4xx, ``foerderportal.delivery``): the
  recipients that accepted are recorded and never get it again; the row stays ``claimed`` with
  ``last_error`` and the error is re-raised, so the Celery task retries with backoff.
- A claim still ``claimed`` after ``CLAIM_TIMEOUT`` (well above the task time limits and the
  whole retry backoff: the worker died, the task was lost, the retries ran out) is taken over
  by a later sweep (``reclaim_stale``: ``FOR UPDATE SKIP LOCKED``, new token, ``attempts + 1``).
  After ``MAX_ATTEMPTS`` claims it becomes ``failed`` (an error in the log, visible in the admin).
  A row being sent is locked, so it is never taken over under a slow sender.
- The one window left: a worker that dies after SMTP accepted the message but before the confirm
  committed. After the timeout the reminder is sent again, with the same Message-ID, so it is
  recognisably the same message. Confirming before sending would lose reminders silently instead.

The sweep must run in autocommit (a Celery task does), so each claim commits before its e-mail.
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from foerderportal.delivery import deliver

from .models import SentLog

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=30)
MAX_ATTEMPTS = 10
MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


class ReminderKind:
    """One kind of reminder: its sent-log and its rules. Subclass it and fill in the four methods."""

    #: The sent-log model; its unique constraint is the key of one reminder.
    model: type[SentLog]
    #: For log lines: "deadline reminder", "report reminder".
    noun: str = "reminder"
    #: What ``send`` loads with the locked row, so the rules below need no extra queries.
    select_related: tuple[str, ...] = ()

    def candidates(self, now: datetime) -> Iterable[SentLog]:
        """Unsaved log rows (the key columns only), one per reminder due at ``now`` without a row yet.

        Set-based: the number of queries must not depend on the number of rows.
        """
        raise NotImplementedError

    def skip_reason(self, row: SentLog, now: datetime) -> models.Choices | None:
        """Why the claimed ``row`` is not sent at ``now`` (its ``label`` goes to the log); None: send it."""
        raise NotImplementedError

    def recipients(self, row: SentLog) -> list[str]:
        """The addresses the reminder goes to, one message to all."""
        raise NotImplementedError

    def message(self, row: SentLog, recipients: list[str], now: datetime) -> EmailMessage:
        """The e-mail, with a Message-ID that depends only on the row's key."""
        raise NotImplementedError


def claim_due(kind: ReminderKind, now: datetime | None = None) -> list[int]:
    """Step 1: claim every due reminder of ``kind`` and every stale claim; returns the ids this call owns."""
    now = now or timezone.now()
    token = uuid.uuid4()
    rows = list(kind.candidates(now))
    for row in rows:
        row.status, row.claim_token, row.claimed_at, row.attempts = SentLog.Status.CLAIMED, token, now, 1
    kind.model.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    reclaim_stale(kind, now=now, token=token)
    return list(
        kind.model.objects.filter(claim_token=token, status=SentLog.Status.CLAIMED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def reclaim_stale(kind: ReminderKind, *, now: datetime, token: uuid.UUID) -> int:
    """Take over claims older than ``CLAIM_TIMEOUT`` that nobody is sending right now; returns how many."""
    log = kind.model.objects
    stale = list(
        log.select_for_update(skip_locked=True)
        .filter(status=SentLog.Status.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT)
        .values_list("pk", "attempts")
    )
    retry = [pk for pk, attempts in stale if attempts < MAX_ATTEMPTS]
    give_up = [pk for pk, attempts in stale if attempts >= MAX_ATTEMPTS]
    if retry:
        log.filter(pk__in=retry).update(claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
        logger.warning("Re-claimed %d stale %s claim(s): %s", len(retry), kind.noun, retry)
    if give_up:
        log.filter(pk__in=give_up).update(status=SentLog.Status.FAILED)
        logger.error("Gave up on %d %s(s) after %d attempts: %s", len(give_up), kind.noun, MAX_ATTEMPTS, give_up)
    return len(retry)


def send(kind: ReminderKind, *, row_id: int, now: datetime | None = None) -> bool:
    """Steps 2 and 3: send the claimed reminder and mark it sent; True if an e-mail went out.

    Does nothing when the row is no longer ``claimed`` or another worker holds it right now.
    A mail error is recorded on the row and re-raised, so the task retries; the claim stays.
    """
    now = now or timezone.now()
    failure = None
    with transaction.atomic():
        row = (
            kind.model.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*kind.select_related)
            .filter(pk=row_id, status=SentLog.Status.CLAIMED)
            .first()
        )
        if row is None:
            return False
        reason = kind.skip_reason(row, now)
        if reason is not None:
            row.status = SentLog.Status.SKIPPED
            earlier = f" (Zuvor: {row.last_error})" if row.last_error else ""
            row.last_error = f"{reason.label}{earlier}"[:2000]
            row.save(update_fields=["status", "last_error"])
            logger.info("%s %s skipped: %s", kind.noun.capitalize(), row.pk, reason.value)
            return False
        recipients = kind.recipients(row)
        message = kind.message(row, recipients, now)
        try:
            # Per recipient (foerderportal.delivery): a recipient who has it is skipped on a retry.
            result = deliver(message, now=now)
            result.raise_if_deferred()
        except MAIL_ERRORS as error:
            row.last_error = f"{now:%Y-%m-%d %H:%M:%S %Z}: {type(error).__name__}: {error}"[:2000]
            row.save(update_fields=["last_error"])
            logger.warning("%s %s not sent to all; the claim stays for a retry", kind.noun.capitalize(), row.pk)
            failure = error
        else:
            if recipients and not result.delivered:
                # Every recipient refused it for good: nothing to retry; the deliveries say why.
                row.status = SentLog.Status.FAILED
                row.last_error = f"{now:%Y-%m-%d %H:%M:%S %Z}: {result.summary()}"[:2000]
                row.save(update_fields=["status", "last_error"])
                logger.error("%s %s refused by every recipient", kind.noun.capitalize(), row.pk)
                return False
            _confirm(row, now=now, recipients=result.delivered, message_id=result.message_id)
    if failure is not None:
        raise failure
    return bool(result.accepted) or not recipients


def _confirm(row: SentLog, *, now: datetime, recipients: list[str], message_id: str) -> None:
    row.status, row.sent_at, row.recipients = SentLog.Status.SENT, now, recipients
    fields = ["status", "sent_at", "recipients"]
    if any(field.name == "message_id" for field in row._meta.concrete_fields):  # a log without it: no column
        row.message_id = message_id
        fields.append("message_id")
    row.save(update_fields=fields)
