"""The reminder before a request's due date: the third kind of ``reminders.engine``.

Time rule (``is_due``, the only place it lives; takes an injectable ``today``)
---------------------------------------------------------------------------
An open request is reminded once, from ``REMIND_DAYS_BEFORE`` (3) calendar days before its due
date up to the due date itself (Europe/Berlin). An answered request, or one whose due date has
passed, is not reminded (staff see it as overdue instead).

Exactly once per request
------------------------
``REQUEST_REMINDERS`` uses the engine (claim → send → confirm on ``RequestReminder``, unique per
request); a claimed reminder is skipped when the request was answered, is no longer due, or the
municipality has no confirmed member.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.selectors import confirmed_member_emails, confirmed_members
from reminders import engine

from . import emails
from .models import InformationRequest, RequestReminder

REMIND_DAYS_BEFORE = 3


class SkipReason(models.TextChoices):
    """Why a request reminder is not sent; the label is what staff read in the log."""

    ANSWERED = "answered", _("Die Rückfrage ist bereits beantwortet.")
    NOT_DUE = "not_due", _("Die Erinnerung ist nicht fällig (zu früh oder die Frist ist abgelaufen).")
    NO_MEMBERS = "no_members", _("Die Organisation hat keine bestätigten Mitglieder.")


def is_due(request, today) -> bool:
    """True while ``request`` is open and ``today`` lies within the last days before its due date."""
    return (
        request.status == InformationRequest.Status.OPEN
        and request.due_on - timedelta(days=REMIND_DAYS_BEFORE) <= today <= request.due_on
    )


def skip_reason(request, today):
    """Why the reminder for ``request`` is NOT sent on ``today``; None: send it."""
    if request.status != InformationRequest.Status.OPEN:
        return SkipReason.ANSWERED
    if not is_due(request, today):
        return SkipReason.NOT_DUE
    if not confirmed_members(request.application.organisation_id).exists():
        return SkipReason.NO_MEMBERS
    return None


def candidates(today):
    """Open requests due for their reminder on ``today`` without a row yet; one query."""
    return (
        InformationRequest.objects.open()
        .filter(due_on__gte=today, due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE))
        .filter(Exists(confirmed_members(OuterRef("application__organisation"))))
        .exclude(Exists(RequestReminder.objects.filter(request=OuterRef("pk"))))
        .order_by("pk")
    )


class RequestReminders(engine.ReminderKind):
    """Reminders before a request's due date, to the municipality's confirmed members."""

    model = RequestReminder
    noun = "request reminder"
    select_related = ("request__application__organisation",)

    def candidates(self, now):
        return [
            RequestReminder(request=request, due_on=request.due_on) for request in candidates(timezone.localdate(now))
        ]

    def skip_reason(self, reminder, now):
        return skip_reason(reminder.request, timezone.localdate(now))

    def recipients(self, reminder):
        return confirmed_member_emails(reminder.request.application.organisation_id)

    def message(self, reminder, recipients, now):
        days_left = (reminder.request.due_on - timezone.localdate(now)).days
        return emails.request_reminder(reminder, recipients, days_left)


REQUEST_REMINDERS = RequestReminders()


def claim_due_reminders(*, now=None):
    """Claim every due request reminder and every stale claim; returns the ids this call owns."""
    return engine.claim_due(REQUEST_REMINDERS, now)


def send_reminder(*, reminder_id, now=None):
    """Send one claimed request reminder and mark it sent; True if an e-mail went out."""
    return engine.send(REQUEST_REMINDERS, row_id=reminder_id, now=now)
