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

Exactly once per (round, organisation, offset)
----------------------------------------------
``DEADLINE_REMINDERS`` is this kind's use of the engine in ``reminders.engine`` (claim → send →
confirm on the ``Reminder`` log, whose unique constraint is (round, organisation, offset)):
``candidates`` are the drafts due at ``now`` with confirmed members and no row yet; a claimed
reminder is skipped (with the reason in the log) when the application was submitted or
withdrawn, or the deadline passed, before it was sent. ``claim_due_reminders`` and
``send_reminder`` run the engine for this kind.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, FundingRound
from applications.selectors import confirmed_member_emails, confirmed_members

from . import emails, engine
from .models import Reminder


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
    if not confirmed_members(application.organisation_id).exists():
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
                .filter(Exists(confirmed_members(OuterRef("organisation"))))
                .exclude(Exists(already))
                .select_related("organisation")
                .order_by("pk")
            )
            for application in drafts:
                application.funding_round = funding_round
                result.append(Candidate(application, offset))
    return result


# --- the engine's use --------------------------------------------------------------


class DeadlineReminders(engine.ReminderKind):
    """Deadline reminders to the confirmed members of an organisation with a draft."""

    model = Reminder
    noun = "deadline reminder"
    select_related = ("funding_round", "organisation", "application")

    def candidates(self, now):
        return [
            Reminder(
                funding_round_id=candidate.application.funding_round_id,
                organisation_id=candidate.application.organisation_id,
                application_id=candidate.application.pk,
                offset_days=candidate.offset_days,
            )
            for candidate in candidates(now)
        ]

    def skip_reason(self, reminder, now):
        application = reminder.application
        if application is not None:  # already loaded with the reminder: no extra queries
            application.funding_round, application.organisation = reminder.funding_round, reminder.organisation
        return skip_reason(application, reminder.offset_days, now)

    def recipients(self, reminder):
        return confirmed_member_emails(reminder.organisation_id)

    def message(self, reminder, recipients, now):
        return emails.deadline_reminder(reminder, reminder.application, recipients, now)


DEADLINE_REMINDERS = DeadlineReminders()


def claim_due_reminders(now: datetime | None = None) -> list[int]:
    """Claim every due deadline reminder and every stale claim; returns the ids this call owns."""
    return engine.claim_due(DEADLINE_REMINDERS, now)


def send_reminder(*, reminder_id: int, now: datetime | None = None) -> bool:
    """Send one claimed deadline reminder and mark it sent; True if an e-mail went out."""
    return engine.send(DEADLINE_REMINDERS, row_id=reminder_id, now=now)
