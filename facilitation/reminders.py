"""Report reminders: one e-mail before a report is due and one when it is overdue, each once.

Time rule (``due_kind``, the only place it lives; takes an injectable ``today``)
-------------------------------------------------------------------------------
A report that is still owed (open, or returned for revision) of a planned or running
facilitation is "due soon" from ``REMIND_DAYS_BEFORE`` (14) days before its due date up to
the due date, and "overdue" from the day after. A "due soon" reminder that was missed is
not sent late once the report is overdue: then the overdue one goes out.

Exactly once per (report, kind): claim → send → confirm
--------------------------------------------------------
The same order as the deadline reminders in ``reminders.services`` (whose helpers are bound
to their model, so it is mirrored here rather than imported):

1. Claim. ``claim_due_reminders`` INSERTs one ``ReportReminder`` row (status ``claimed``)
   per candidate, in its own committed statement, before any e-mail goes out:
   ``bulk_create(ignore_conflicts=True)`` tagged with a fresh ``claim_token``. The unique
   constraint (report, kind) lets exactly one caller win; a second beat tick or worker
   inserts nothing and so sends nothing. Claims still ``claimed`` after ``CLAIM_TIMEOUT``
   (the worker died, the mail server was down) are taken over with
   ``SELECT … FOR UPDATE SKIP LOCKED`` (new token, ``attempts + 1``); after ``MAX_ATTEMPTS``
   they become ``failed`` (visible in the admin).
2. Send. ``send_reminder`` locks the claimed row (``FOR UPDATE SKIP LOCKED``, only while it is
   ``claimed``), re-checks ``due_kind`` (a report submitted meanwhile → ``skipped``) and sends
   one e-mail with a deterministic Message-ID.
3. Confirm. In the same transaction the row becomes ``sent``; the commit releases the lock.
   A mail error is recorded in ``last_error`` and the claim stays for a later run.

The one window left is a worker dying after the mail server accepted the message and before
the confirm committed: after the timeout the reminder is sent again, with the same Message-ID.
The sweep must run in autocommit (a Celery task does) so each claim commits before its e-mail.
"""

import logging
import uuid
from datetime import timedelta
from smtplib import SMTPException

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import emails
from .models import Facilitation, Report, ReportReminder

logger = logging.getLogger(__name__)

REMIND_DAYS_BEFORE = 14
CLAIM_TIMEOUT = timedelta(minutes=30)
MAX_ATTEMPTS = 10
MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)
ACTIVE = (Facilitation.Status.PLANNED, Facilitation.Status.RUNNING)


def due_kind(report, today):
    """The reminder ``report`` is due for on ``today`` (a ``ReportReminder.Kind``), or ``None``."""
    if report.status not in Report.OUTSTANDING or report.facilitation.status not in ACTIVE:
        return None
    if today > report.due_on:
        return ReportReminder.Kind.OVERDUE
    if today >= report.due_on - timedelta(days=REMIND_DAYS_BEFORE):
        return ReportReminder.Kind.DUE_SOON
    return None


def candidates(today):
    """(report, kind) pairs due on ``today`` without a reminder row yet; two queries in all."""
    reports = (
        Report.objects.filter(
            status__in=Report.OUTSTANDING,
            facilitation__status__in=ACTIVE,
            due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("facilitation")
        .order_by("due_on", "pk")
    )
    pairs = [(report, due_kind(report, today)) for report in reports]
    pairs = [(report, kind) for report, kind in pairs if kind is not None]
    existing = set(
        ReportReminder.objects.filter(report__in=[report.pk for report, _kind in pairs]).values_list(
            "report_id", "kind"
        )
    )
    return [(report, kind) for report, kind in pairs if (report.pk, kind) not in existing]


def claim_due_reminders(*, now=None):
    """Step 1: claim every due reminder and every stale claim; returns the ids this call owns."""
    now = now or timezone.now()
    token = uuid.uuid4()
    rows = [
        ReportReminder(
            report=report,
            kind=kind,
            due_on=report.due_on,
            status=ReportReminder.Status.CLAIMED,
            claim_token=token,
            claimed_at=now,
            attempts=1,
        )
        for report, kind in candidates(timezone.localdate(now))
    ]
    ReportReminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    reclaim_stale(now=now, token=token)
    return list(
        ReportReminder.objects.filter(claim_token=token, status=ReportReminder.Status.CLAIMED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def reclaim_stale(*, now, token):
    """Take over claims older than ``CLAIM_TIMEOUT`` that nobody is sending right now."""
    stale = list(
        ReportReminder.objects.select_for_update(skip_locked=True)
        .filter(status=ReportReminder.Status.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT)
        .values_list("pk", "attempts")
    )
    retry = [pk for pk, attempts in stale if attempts < MAX_ATTEMPTS]
    give_up = [pk for pk, attempts in stale if attempts >= MAX_ATTEMPTS]
    if retry:
        ReportReminder.objects.filter(pk__in=retry).update(
            claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
        logger.warning("Re-claimed %d stale report reminder claim(s): %s", len(retry), retry)
    if give_up:
        ReportReminder.objects.filter(pk__in=give_up).update(status=ReportReminder.Status.FAILED)
        logger.error("Gave up on %d report reminder(s) after %d attempts: %s", len(give_up), MAX_ATTEMPTS, give_up)
    return len(retry)


def send_reminder(*, reminder_id, now=None):
    """Steps 2 and 3: send one claimed reminder and mark it sent; True if an e-mail went out."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            ReportReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("report__facilitation__application__organisation")
            .filter(pk=reminder_id, status=ReportReminder.Status.CLAIMED)
            .first()
        )
        if reminder is None:
            return False
        report = reminder.report
        if due_kind(report, timezone.localdate(now)) != reminder.kind:
            reminder.status = ReportReminder.Status.SKIPPED
            reminder.last_error = "Der Bericht ist nicht mehr fällig (eingereicht, angenommen oder beendet)."
            reminder.save(update_fields=["status", "last_error"])
            return False
        recipients = emails.report_recipients(report)
        if not recipients:
            reminder.status = ReportReminder.Status.SKIPPED
            reminder.last_error = "Die Kommune hat keine bestätigten Mitglieder und keine Projektleitung."
            reminder.save(update_fields=["status", "last_error"])
            return False
        message = emails.report_reminder(reminder, recipients)
        try:
            message.send()
        except MAIL_ERRORS as error:
            reminder.last_error = f"{now:%Y-%m-%d %H:%M:%S %Z}: {type(error).__name__}: {error}"[:2000]
            reminder.save(update_fields=["last_error"])
            logger.warning("Report reminder %s not sent; the claim stays for a later run", reminder.pk)
            return False
        reminder.status = ReportReminder.Status.SENT
        reminder.sent_at = now
        reminder.recipients = recipients
        reminder.save(update_fields=["status", "sent_at", "recipients"])
    return True


def send_report_reminders(*, now=None):
    """The periodic sweep: claim, then send each claim; returns the number of e-mails sent."""
    return sum(send_reminder(reminder_id=pk, now=now) for pk in claim_due_reminders(now=now))
