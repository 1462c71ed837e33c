"""Deadline reminders: which are due, to whom, and how each goes out exactly once.

Time rule
---------
A round's ``reminder_offsets`` (e.g. ``[14, 7, 1]``) name calendar days before the deadline's
day. The reminder for offset N is due from 00:00 Europe/Berlin on the day N days before the
deadline's day (so on that day ``FundingRound.days_left(now) == N`` and the e-mail can say
"noch N Tage") until the deadline's last second has run out. Only the latest offset whose
moment has come is due: a reminder that was missed (the portal was down, the draft was
started later) is not sent late next to a newer one. ``due_offsets`` and ``skip_reason``
are the only places this rule lives; both take an injectable ``now``.

Exactly once per (round, organisation, offset): claim → send → confirm
---------------------------------------------------------------------
1. Claim. The sweep (``claim_due_reminders``) INSERTs one ``Reminder`` row with status
   ``claimed`` per candidate, in its own committed transaction, before any e-mail goes out.
   The unique constraint (round, organisation, offset) decides who wins: the insert is
   ``INSERT … ON CONFLICT DO NOTHING`` (``bulk_create(ignore_conflicts=True)``, the set-based
   form of "INSERT and catch IntegrityError"), tagged with a fresh ``claim_token``; the rows
   carrying that token are the ones this sweep won. A second beat tick or a second worker
   running at the same moment inserts nothing and so sends nothing.
2. Send. ``send_reminder`` locks the claimed row (``SELECT … FOR UPDATE SKIP LOCKED``, only
   while its status is still ``claimed``), re-checks ``skip_reason`` with the current time,
   and sends one e-mail to all confirmed members with a deterministic Message-ID derived from
   (round, organisation, offset). The lock is held while the e-mail is handed to SMTP, so two
   senders can never work on the same row at once.
3. Confirm. In the same transaction the row becomes ``sent`` (``sent_at``, recipients,
   Message-ID); the commit releases the lock.

Failures:
- SMTP or connection error: the row stays ``claimed`` with ``last_error``; the Celery task
  retries with backoff (``reminders.tasks``). Once SMTP works, exactly one e-mail goes out.
- A claim that is still ``claimed`` after ``CLAIM_TIMEOUT`` (30 minutes, well above the
  task time limits and the whole retry backoff) — the worker died, the task was lost, the
  retries ran out — is re-claimed by a later sweep (``SELECT … FOR UPDATE SKIP LOCKED``, new
  token, ``attempts + 1``) and sent then. A crash never silently drops a reminder. After
  ``MAX_ATTEMPTS`` claims the row becomes ``failed`` (logged as an error, visible in the admin).
- The one window left: a worker that dies after SMTP accepted the message but before the
  confirm committed. The row is still ``claimed``, so after the timeout the reminder is sent
  a second time — with the same Message-ID, so it is recognisable as the same message, and
  mail systems that de-duplicate by Message-ID show it once. Without distributed transactions
  between database and SMTP, "at worst one resend, with the same Message-ID, per such crash"
  is the best possible; the reverse order (confirm, then send) would lose the reminder
  silently instead.
- If the application was submitted or withdrawn, or the deadline passed, between claim and
  send, the row becomes ``skipped`` with the reason and no e-mail goes out.

The sweep must run in autocommit (a Celery task does), so each claim is committed before
its e-mail is sent.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from smtplib import SMTPException

from django.db import models, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, FundingRound, Membership

from . import emails
from .models import Reminder

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=30)
MAX_ATTEMPTS = 10
MAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


class SkipReason(models.TextChoices):
    """Why a reminder is not sent; the label is what staff read in the reminder log."""

    WITHDRAWN = "withdrawn", _("Der Antrag wurde zurückgezogen.")
    SUBMITTED = "submitted", _("Der Antrag ist bereits eingereicht.")
    DEADLINE_PASSED = "deadline_passed", _("Die Antragsfrist ist abgelaufen.")
    NOT_DUE = "not_due", _("Die Erinnerung ist noch nicht fällig.")
    SUPERSEDED = "superseded", _("Eine spätere Erinnerung ist bereits fällig.")
    NO_MEMBERS = "no_members", _("Die Organisation hat keine bestätigten Mitglieder.")
    NO_APPLICATION = "no_application", _("Der Antrag existiert nicht mehr.")


# --- the time rule -------------------------------------------------------------


def reminder_offsets(funding_round: FundingRound) -> list[int]:
    """The round's offsets as distinct non-negative whole days, largest first; other entries are ignored."""
    values = funding_round.reminder_offsets if isinstance(funding_round.reminder_offsets, list) else []
    offsets = {v for v in values if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 366}
    return sorted(offsets, reverse=True)


def reminder_moment(funding_round: FundingRound, offset: int) -> datetime:
    """00:00 Europe/Berlin on the day ``offset`` calendar days before the deadline's day."""
    berlin = timezone.get_default_timezone()  # TIME_ZONE, whatever a request may have activated
    deadline_day = timezone.localtime(funding_round.deadline, berlin).date()
    return timezone.make_aware(datetime.combine(deadline_day - timedelta(days=offset), time.min), berlin)


def _deadline_passed(funding_round: FundingRound, now: datetime) -> bool:
    return now >= funding_round.opens_at and not funding_round.accepts_submissions_at(now)


def due_offsets(funding_round: FundingRound, now: datetime) -> list[int]:
    """The offsets due at ``now``: the latest one whose moment has come, while the round accepts submissions.

    At most one: an earlier offset whose time was missed is superseded by the newer one.
    """
    if not funding_round.accepts_submissions_at(now):
        return []
    come = [offset for offset in reminder_offsets(funding_round) if reminder_moment(funding_round, offset) <= now]
    return [min(come)] if come else []


# --- who gets one ----------------------------------------------------------------


def _confirmed_members(organisation_ref):
    return Membership.objects.filter(
        organisation=organisation_ref, status=Membership.Status.CONFIRMED, user__is_active=True
    ).exclude(user__email="")


def recipients_for(organisation_id) -> list[str]:
    """E-mail addresses of the organisation's confirmed, active members."""
    return sorted(set(_confirmed_members(organisation_id).values_list("user__email", flat=True)))


def skip_reason(application: Application | None, offset: int, now: datetime) -> SkipReason | None:
    """Why the reminder ``offset`` days before the deadline is NOT sent for ``application`` at ``now``; None: send."""
    if application is None:
        return SkipReason.NO_APPLICATION
    if application.status == Application.Status.WITHDRAWN:
        return SkipReason.WITHDRAWN
    if application.status != Application.Status.DRAFT:
        return SkipReason.SUBMITTED
    funding_round = application.funding_round
    if _deadline_passed(funding_round, now):
        return SkipReason.DEADLINE_PASSED
    if offset not in due_offsets(funding_round, now):
        if offset in reminder_offsets(funding_round) and reminder_moment(funding_round, offset) <= now:
            return SkipReason.SUPERSEDED
        return SkipReason.NOT_DUE
    if not _confirmed_members(application.organisation_id).exists():
        return SkipReason.NO_MEMBERS
    return None


@dataclass(frozen=True)
class Candidate:
    application: Application
    offset_days: int


def candidates(now: datetime) -> list[Candidate]:
    """Drafts due for a reminder at ``now`` that have none yet for (round, organisation, offset).

    One query for the open rounds, then one per (open round, due offset) — never one per row.
    Only drafts whose organisation has confirmed members are included.
    """
    result = []
    for funding_round in FundingRound.objects.open_at(now).order_by("pk"):
        for offset in due_offsets(funding_round, now):
            already = Reminder.objects.filter(
                funding_round=OuterRef("funding_round"), organisation=OuterRef("organisation"), offset_days=offset
            )
            drafts = (
                Application.objects.filter(funding_round=funding_round, status=Application.Status.DRAFT)
                .filter(Exists(_confirmed_members(OuterRef("organisation"))))
                .exclude(Exists(already))
                .select_related("organisation")
                .order_by("pk")
            )
            for application in drafts:
                application.funding_round = funding_round
                result.append(Candidate(application, offset))
    return result


# --- claim, send, confirm ------------------------------------------------------------


def claim_due_reminders(now: datetime | None = None) -> list[int]:
    """Step 1: claim every due reminder and every stale claim; returns the ids this call owns.

    The INSERT commits before anything is sent. Safe to run twice or concurrently: the unique
    constraint lets exactly one caller claim each (round, organisation, offset).
    """
    now = now or timezone.now()
    token = uuid.uuid4()
    rows = [
        Reminder(
            funding_round_id=candidate.application.funding_round_id,
            organisation_id=candidate.application.organisation_id,
            application_id=candidate.application.pk,
            offset_days=candidate.offset_days,
            status=Reminder.Status.CLAIMED,
            claim_token=token,
            claimed_at=now,
            attempts=1,
        )
        for candidate in candidates(now)
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    reclaim_stale(now=now, token=token)
    return list(
        Reminder.objects.filter(claim_token=token, status=Reminder.Status.CLAIMED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def reclaim_stale(*, now: datetime, token: uuid.UUID) -> int:
    """Take over claims older than CLAIM_TIMEOUT that nobody is sending right now; returns how many."""
    stale = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(status=Reminder.Status.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT)
        .values_list("pk", "attempts")
    )
    retry = [pk for pk, attempts in stale if attempts < MAX_ATTEMPTS]
    give_up = [pk for pk, attempts in stale if attempts >= MAX_ATTEMPTS]
    if retry:
        Reminder.objects.filter(pk__in=retry).update(claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
        logger.warning("Re-claimed %d stale reminder claim(s): %s", len(retry), retry)
    if give_up:
        Reminder.objects.filter(pk__in=give_up).update(status=Reminder.Status.FAILED)
        logger.error("Gave up on %d reminder(s) after %d attempts: %s", len(give_up), MAX_ATTEMPTS, give_up)
    return len(retry)


def send_reminder(*, reminder_id: int, now: datetime | None = None) -> bool:
    """Steps 2 and 3: send the claimed reminder and mark it sent; True if an e-mail went out.

    Does nothing when the row is no longer ``claimed`` or another worker holds it right now.
    A mail error is recorded on the row and re-raised, so the task retries; the claim stays.
    """
    now = now or timezone.now()
    failure = None
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("funding_round", "organisation", "application")
            .filter(pk=reminder_id, status=Reminder.Status.CLAIMED)
            .first()
        )
        if reminder is None:
            return False
        application = reminder.application
        if application is not None:  # already loaded with the reminder: no extra queries
            application.funding_round, application.organisation = reminder.funding_round, reminder.organisation
        reason = skip_reason(application, reminder.offset_days, now)
        if reason is not None:
            reminder.status = Reminder.Status.SKIPPED
            earlier = f" (Zuvor: {reminder.last_error})" if reminder.last_error else ""
            reminder.last_error = f"{reason.label}{earlier}"[:2000]
            reminder.save(update_fields=["status", "last_error"])
            logger.info("Reminder %s skipped: %s", reminder.pk, reason.value)
            return False
        recipients = recipients_for(reminder.organisation_id)
        message = emails.deadline_reminder(reminder, application, recipients, now)
        try:
            message.send()
        except MAIL_ERRORS as error:
            reminder.last_error = f"{now:%Y-%m-%d %H:%M:%S %Z}: {type(error).__name__}: {error}"[:2000]
            reminder.save(update_fields=["last_error"])
            failure = error
        else:
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = now
            reminder.recipients = recipients
            reminder.message_id = message.extra_headers["Message-ID"]
            reminder.save(update_fields=["status", "sent_at", "recipients", "message_id"])
    if failure is not None:
        raise failure
    return True
