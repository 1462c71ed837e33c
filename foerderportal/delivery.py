"""Delivery per recipient: every templated e-mail goes through ``deliver``.

An SMTP server may accept a message for some recipients and refuse others at RCPT: for a moment
(4xx, e.g. greylisting) or for good (5xx, e.g. unknown mailbox). smtplib raises only when it
refuses *all* of them and otherwise returns the refused ones, which Django's SMTP backend throws
away. ``deliver`` keeps that answer, one ``MailDelivery`` row per (message key, recipient):

- accepted: never sent again, whatever retries follow;
- refused with 4xx, or the server could not be reached or did not answer: ``deferred``; the
  caller raises ``DeliveryDeferred`` after committing, its task retries, and the next attempt
  sends the same message (same Message-ID) to the deferred recipients only;
- refused with 5xx (at RCPT or DATA): ``failed`` at once; a recipient still deferred
  ``GIVE_UP_AFTER`` after its first refusal is given up (``failed``) too. Failed deliveries are
  listed in the admin and reported to the academy once a day (``send_failure_report``).

The rows are locked while the message goes out, so two workers never send one message to one
recipient at the same time. With the file, console or locmem backend (``make run``, tests)
every recipient counts as accepted.
"""

import copy
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from smtplib import SMTPException, SMTPRecipientsRefused, SMTPResponseException, SMTPSenderRefused

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import MailDelivery

logger = logging.getLogger(__name__)

# A greylisting server accepts after minutes; a server refusing for hours will not change its mind
# soon. Below the reminder engine's MAX_ATTEMPTS x CLAIM_TIMEOUT (5 h), so a reminder is confirmed
# for the recipients that got it before its claim would be given up.
GIVE_UP_AFTER = timedelta(hours=4)
HISTORY_LENGTH = 50


class DeliveryDeferred(SMTPException):
    """Some recipients were not reached yet (4xx or no answer); the accepted ones are recorded. Retry."""


@dataclass
class DeliveryResult:
    key: str
    message_id: str
    accepted: list[str] = field(default_factory=list)  # in this attempt
    already: list[str] = field(default_factory=list)  # accepted by an earlier attempt: not sent again
    deferred: dict[str, str] = field(default_factory=dict)  # recipient: the server's answer
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def delivered(self) -> list[str]:
        return self.already + self.accepted

    @property
    def complete(self) -> bool:
        return not self.deferred

    def summary(self) -> str:
        parts = [f"{address}: {answer}" for address, answer in {**self.deferred, **self.failed}.items()]
        return "; ".join(parts)

    def raise_if_deferred(self) -> None:
        if self.deferred:
            raise DeliveryDeferred(f"{self.key}: {len(self.deferred)} deferred: {self.summary()}")


def _unique(addresses):
    seen, result = set(), []
    for address in addresses:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def stable_message_id(local_part):
    """A Message-ID that is the same for every attempt at one message, so a resend is recognisably the same."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "foerderportal.invalid"
    return f"<{local_part}@{domain}>"


def _transmit(message, recipients) -> dict[str, tuple[int | None, str, bool]]:
    """Send ``message`` to ``recipients`` in one transaction; returns the refused ones: (code, answer, permanent).

    Never raises for a mail error: a server that cannot be reached refuses everyone for now (code None).
    """
    outgoing = copy.copy(message)
    outgoing.to, outgoing.cc, outgoing.bcc = list(recipients), [], []
    connection = get_connection()
    if not isinstance(connection, SMTPBackend):
        connection.send_messages([outgoing])  # file, console, locmem: accepts everyone
        return {}
    encoding = outgoing.encoding or settings.DEFAULT_CHARSET
    by_wire = {sanitize_address(address, encoding): address for address in recipients}
    everyone = dict.fromkeys(recipients)
    try:
        opened = connection.open()
    except (SMTPException, OSError) as error:  # connect, TLS, login: our side, never the recipient's fault
        return {address: (None, f"{type(error).__name__}: {error}", False) for address in everyone}
    try:
        refused = connection.connection.sendmail(
            sanitize_address(outgoing.from_email, encoding),
            list(by_wire),
            outgoing.message().as_bytes(linesep="\r\n"),
        )
    except SMTPRecipientsRefused as error:  # all refused at RCPT, each with its own answer
        refused = error.recipients
    except SMTPResponseException as error:  # MAIL FROM or DATA refused: the same answer for everyone
        # A refused sender is our configuration, not the recipients' fault: retried, never given up at once.
        permanent = error.smtp_code >= 500 and not isinstance(error, SMTPSenderRefused)
        answer = _answer(error.smtp_code, error.smtp_error)
        return {address: (error.smtp_code, answer, permanent) for address in everyone}
    except (SMTPException, OSError) as error:  # dropped connection, timeout: accepted or not, we cannot tell
        return {address: (None, f"{type(error).__name__}: {error}", False) for address in everyone}
    finally:
        if opened:
            try:
                connection.close()
            except (SMTPException, OSError):  # the message is through; QUIT is a courtesy
                pass
    return {by_wire.get(wire, wire): (code, _answer(code, text), code >= 500) for wire, (code, text) in refused.items()}


def _answer(code, text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"[:1000]


def _note(row, now, text):
    stamp = timezone.localtime(now).strftime("%d.%m.%Y %H:%M:%S")
    row.history = [*row.history, f"{stamp}: {text}"][-HISTORY_LENGTH:]


def deliver(message, *, key: str | None = None, now=None) -> DeliveryResult:
    """Send ``message`` to those of its recipients who do not have it yet; record each recipient's outcome.

    ``key`` names the message (default: its Message-ID); the Message-ID is set from it when the
    message has none, so every attempt sends the same message. Runs in its own (nested)
    transaction; a caller that raises afterwards must commit first, or the record is lost with it.
    """
    now = now or timezone.now()
    if key is None:
        key = message.extra_headers.get("Message-ID", "").strip("<>").rpartition("@")[0]
    if not key:
        raise ValueError("deliver() needs a key or a Message-ID")
    message.extra_headers.setdefault("Message-ID", stable_message_id(key))
    result = DeliveryResult(key=key, message_id=message.extra_headers["Message-ID"])
    recipients = _unique([*message.to, *message.cc, *message.bcc])
    if not recipients:
        return result
    with transaction.atomic():
        MailDelivery.objects.bulk_create(
            [
                MailDelivery(
                    key=key,
                    recipient=address,
                    message_id=result.message_id,
                    subject=str(message.subject)[:255],
                    created_at=now,
                )
                for address in recipients
            ],
            ignore_conflicts=True,
        )
        locked = (
            MailDelivery.objects.select_for_update()
            .annotate(address=Lower("recipient"))
            .filter(key=key, address__in=[address.lower() for address in recipients])
        )
        rows = {row.address: row for row in locked}
        rows = {address: rows[address.lower()] for address in recipients if address.lower() in rows}
        pending = []
        for address, row in rows.items():
            if row.status == MailDelivery.Status.ACCEPTED:
                result.already.append(address)
            elif row.status == MailDelivery.Status.FAILED:
                result.failed[address] = row.last_response
            elif row.first_refused_at and row.first_refused_at < now - GIVE_UP_AFTER:
                hours = GIVE_UP_AFTER.total_seconds() // 3600
                _give_up(row, now, _("aufgegeben: seit %(hours)d Stunden vorübergehend abgelehnt") % {"hours": hours})
                result.failed[address] = row.last_response
            else:
                pending.append(address)
        if pending:
            refused = _transmit(message, pending)
            for address in pending:
                _record(rows[address], refused.get(address), now, result)
        MailDelivery.objects.bulk_update(
            list(rows.values()),
            [
                "status",
                "attempts",
                "first_refused_at",
                "last_attempt_at",
                "accepted_at",
                "failed_at",
                "last_code",
                "last_response",
                "history",
            ],
        )
    if result.deferred or result.failed:
        logger.warning(
            "Delivery %s: %d accepted, %d deferred, %d failed: %s",
            key,
            len(result.accepted),
            len(result.deferred),
            len(result.failed),
            result.summary(),
        )
    return result


def _record(row, refusal, now, result):
    address = row.recipient
    row.attempts += 1
    row.last_attempt_at = now
    if refusal is None:
        row.status, row.accepted_at = MailDelivery.Status.ACCEPTED, now
        _note(row, now, _("angenommen"))
        result.accepted.append(address)
        return
    code, answer, permanent = refusal
    row.last_code, row.last_response = code, answer
    if permanent:
        _give_up(row, now, _("endgültig abgelehnt: %(answer)s") % {"answer": answer})
        result.failed[address] = answer
        return
    row.status = MailDelivery.Status.DEFERRED
    row.first_refused_at = row.first_refused_at or now
    _note(row, now, _("vorübergehend abgelehnt, wird wiederholt: %(answer)s") % {"answer": answer})
    result.deferred[address] = answer


def _give_up(row, now, text):
    row.status, row.failed_at = MailDelivery.Status.FAILED, now
    _note(row, now, text)
