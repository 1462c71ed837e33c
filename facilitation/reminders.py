"""Report reminders: one e-mail before a report is due and one when it is overdue, each once.

Time rule (``due_kind``, the only place it lives; takes an injectable ``today``)
-------------------------------------------------------------------------------
A report that is still owed (open, or returned for revision) of a planned or running
facilitation is "due soon" from ``REMIND_DAYS_BEFORE`` (14) days before its due date up to
the due date, and "overdue" from the day after. A "due soon" reminder that was missed is
not sent late once the report is overdue: then the overdue one goes out.

Exactly once per (report, kind)
-------------------------------
``REPORT_REMINDERS`` is this kind's use of the engine in ``reminders.engine`` (claim → send →
confirm on the ``ReportReminder`` log, whose unique constraint is (report, kind)): the
candidates are the reports due on ``now``'s day without a row yet; a claimed reminder is
skipped (``skip_reason``) when the report is no longer due for it (submitted, accepted, the
facilitation ended) or nobody would receive it. The periodic task fans out one send task per
claim, with the same retry policy as the deadline reminders (``reminders.tasks``).
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reminders import engine

from . import emails
from .models import Facilitation, Report, ReportReminder

REMIND_DAYS_BEFORE = 14
ACTIVE = (Facilitation.Status.PLANNED, Facilitation.Status.RUNNING)


class SkipReason(models.TextChoices):
    """Why a report reminder is not sent; the label is what staff read in the reminder log."""

    NOT_DUE = "not_due", _("Der Bericht ist nicht mehr fällig (eingereicht, angenommen oder beendet).")
    NO_RECIPIENTS = "no_recipients", _("Die Kommune hat keine bestätigten Mitglieder und keine Projektleitung.")


def due_kind(report, today):
    """The reminder ``report`` is due for on ``today`` (a ``ReportReminder.Kind``), or ``None``."""
    if report.status not in Report.OUTSTANDING or report.facilitation.status not in ACTIVE:
        return None
    if today > report.due_on:
        return ReportReminder.Kind.OVERDUE
    if today >= report.due_on - timedelta(days=REMIND_DAYS_BEFORE):
        return ReportReminder.Kind.DUE_SOON
    return None


def skip_reason(report, kind, today):
    """Why the ``kind`` reminder for ``report`` is NOT sent on ``today``; None: send it."""
    if due_kind(report, today) != kind:
        return SkipReason.NOT_DUE
    if not emails.report_recipients(report):
        return SkipReason.NO_RECIPIENTS
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


class ReportReminders(engine.ReminderKind):
    """Report reminders to the municipality's confirmed members and its project lead."""

    model = ReportReminder
    noun = "report reminder"
    select_related = ("report__facilitation__application__organisation",)

    def candidates(self, now):
        return [
            ReportReminder(report=report, kind=kind, due_on=report.due_on)
            for report, kind in candidates(timezone.localdate(now))
        ]

    def skip_reason(self, reminder, now):
        return skip_reason(reminder.report, reminder.kind, timezone.localdate(now))

    def recipients(self, reminder):
        return emails.report_recipients(reminder.report)

    def message(self, reminder, recipients, now):
        return emails.report_reminder(reminder, recipients)


REPORT_REMINDERS = ReportReminders()


def claim_due_reminders(*, now=None):
    """Claim every due report reminder and every stale claim; returns the ids this call owns."""
    return engine.claim_due(REPORT_REMINDERS, now)


def send_reminder(*, reminder_id, now=None):
    """Send one claimed report reminder and mark it sent; True if an e-mail went out."""
    return engine.send(REPORT_REMINDERS, row_id=reminder_id, now=now)
