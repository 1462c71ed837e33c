"""Every write and status change of a facilitation.

Each function takes keyword-only arguments, runs in a transaction, locks the facilitation
row (``select_for_update``) before it reads what it checks, refuses with a German
``FacilitationError`` and writes a ``FacilitationEvent``.

Period rules (pure functions below, tested on their own):

* a facilitation starts on the first day of the month after the award was released
  (``default_start``); staff may move the start later (``reschedule_facilitation``);
* it ends ``funding_round.facilitation_months`` calendar months later (``period_end``,
  ``dateutil.relativedelta``: 31 January + 1 month = 28/29 February); both functions live in
  ``applications.periods``, so the Bescheid states the same dates;
* the interim report is due at half the period, the final report at its end;
* a milestone is due ``month_offset`` months after the start, never after the end.
"""

from datetime import date as date_type
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.roles import MODERATOR_GROUP, is_academy_staff
from applications.models import Application, FundingRound, Membership
from applications.periods import default_start, period_end
from foerderportal.audit import log_event
from foerderportal.errors import DomainError
from foerderportal.files import JPEG, PDF, PNG, UPLOAD_FIELDS, UploadRejected, check_upload, store_upload
from foerderportal.formatting import CENT, euro

from .models import (
    Facilitation,
    Facilitator,
    Milestone,
    MilestoneTemplate,
    NetworkMeeting,
    NetworkMeetingRegistration,
    Phase,
    Report,
    Session,
)
from .rules import is_member_of_facilitated


class FacilitationError(DomainError):
    """A facilitation rule refused the action; ``message`` is German and shown to the user."""


MAX_FACILITATORS = 2
HOURS_PER_DAY = Decimal(8)
MAX_SESSION_DAYS = Decimal(5)
MAX_SESSION_HOURS = Decimal(12)
MAX_DELEGATES = 10
POSTER_TYPES = (PDF, JPEG, PNG)
POSTER_FIELDS = ("poster", "poster_name", "poster_content_type", "poster_size", "poster_sha256")

# The default plan, written for 24 months; other durations scale the offsets.
DEFAULT_PLAN_MONTHS = 24
DEFAULT_PLAN = [
    (Phase.ANALYSIS, gettext_noop("Auftaktgespräch (Kick-off) mit Verwaltungsspitze und Projektleitung"), 1),
    (Phase.ANALYSIS, gettext_noop("Bestandsaufnahme der Akteure aus Engagement und Integration"), 3),
    (Phase.PARTICIPATION, gettext_noop("Beteiligungsworkshops mit Zivilgesellschaft und Migrantenorganisationen"), 7),
    (Phase.PARTICIPATION, gettext_noop("Leitbild für Engagement und Integration erarbeitet"), 11),
    (Phase.IMPLEMENTATION, gettext_noop("Maßnahmen und Aktionen gestartet"), 15),
    (Phase.IMPLEMENTATION, gettext_noop("Arbeitsstrukturen (Steuerungsgruppe, Arbeitsgruppen) verankert"), 19),
    (Phase.CLOSING, gettext_noop("Abschlussbericht eingereicht"), 24),
    (Phase.CLOSING, gettext_noop("Teilnahme am Netzwerktreffen"), 24),
]


def _date(value):
    return date_format(value, "j. F Y")


def _require_staff(user):
    if not is_academy_staff(user):
        raise FacilitationError(_("Nur Mitarbeitende der Akademie dürfen das."))


def _lock(facilitation):
    return (
        Facilitation.objects.select_for_update(of=("self",))
        .select_related("application__funding_round", "application__organisation")
        .get(pk=facilitation.pk)
    )


def _require_active(facilitation):
    if not facilitation.is_active:
        raise FacilitationError(
            _("Die Prozessbegleitung ist %(status)s und kann nicht mehr geändert werden.")
            % {"status": facilitation.get_status_display()}
        )


def _own_facilitator(user, facilitation):
    """The user's active facilitator profile if assigned to this facilitation, else None."""
    if not user.is_authenticated:
        return None
    return Facilitator.objects.filter(user=user, active=True, facilitations=facilitation).first()


def _require_logger(user, facilitation):
    """Staff, or one of the facilitation's own active moderators; returns the moderator's profile."""
    own = _own_facilitator(user, facilitation)
    if own is None and not is_academy_staff(user):
        raise FacilitationError(
            _("Nur die Prozessbegleiter/innen dieser Prozessbegleitung und die Akademie dürfen das.")
        )
    return own


# --- period ---------------------------------------------------------------------


# ``default_start`` and ``period_end`` live in ``applications.periods``: the Bescheid states the same dates.


def interim_due(starts_on: date_type, months: int) -> date_type:
    """Half the period: whole months when the duration is even, else the middle day."""
    if months % 2 == 0:
        return starts_on + relativedelta(months=months // 2)
    return starts_on + (period_end(starts_on, months) - starts_on) / 2


def milestone_due(starts_on: date_type, ends_on: date_type, month_offset: int) -> date_type:
    return min(starts_on + relativedelta(months=month_offset), ends_on)


def _scaled_offset(offset, months):
    scaled = (Decimal(offset) * months / DEFAULT_PLAN_MONTHS).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(0, min(months, int(scaled)))


def _months_of(funding_round):
    months = funding_round.facilitation_months
    if months < 1:
        raise FacilitationError(_("Die Förderrunde hat keine Dauer der Prozessbegleitung (Monate)."))
    return months


# --- the plan template ---------------------------------------------------------------


@transaction.atomic
def ensure_milestone_template(*, funding_round: FundingRound) -> list[MilestoneTemplate]:
    """The round's plan template; a round without one gets the default plan (scaled to its months)."""
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    templates = list(funding_round.milestone_templates.order_by("position", "pk"))
    if templates:
        return templates
    months = _months_of(funding_round)
    MilestoneTemplate.objects.bulk_create(
        [
            MilestoneTemplate(
                funding_round=funding_round,
                phase=phase,
                title=_(title),  # stored in the interface language at seeding time
                month_offset=_scaled_offset(offset, months),
                position=position,
            )
            for position, (phase, title, offset) in enumerate(DEFAULT_PLAN, start=1)
        ]
    )
    return list(funding_round.milestone_templates.order_by("position", "pk"))


# --- creation at the award -------------------------------------------------------------


def create_facilitation_on_award(*, application: Application, decision=None, by) -> Facilitation:
    """Receiver of ``hooks.application_awarded``: runs inside the award's transaction."""
    return create_facilitation_for_award(application=application, by=by)


@transaction.atomic
def create_facilitation_for_award(*, application: Application, by, now=None) -> Facilitation:
    """The facilitation of an awarded application: period, budget, plan and reports.

    Called through ``hooks.application_awarded`` from ``reviews.services.release_decision``, in the
    release's transaction. Idempotent:
    a second call returns the existing facilitation (one per application, also a DB constraint).
    """
    _require_staff(by)
    now = now or timezone.now()
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("funding_round", "organisation")
        .get(pk=application.pk)
    )
    existing = Facilitation.objects.filter(application=application).first()
    if existing:
        return existing
    if application.status != Application.Status.AWARDED or not application.awarded_amount:
        raise FacilitationError(_("Nur bewilligte Anträge erhalten eine Prozessbegleitung."))
    funding_round = application.funding_round
    months = _months_of(funding_round)
    starts_on = default_start(timezone.localdate(now))
    ends_on = period_end(starts_on, months)
    facilitation = Facilitation.objects.create(
        application=application,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=application.awarded_amount,
        lead_name=application.lead_name,
        lead_function=application.lead_function,
        lead_email=application.lead_email,
        lead_phone=application.lead_phone,
        created_at=now,
        created_by=by,
    )
    templates = ensure_milestone_template(funding_round=funding_round)
    Milestone.objects.bulk_create(
        [
            Milestone(
                facilitation=facilitation,
                template=template,
                phase=template.phase,
                title=template.title,
                month_offset=template.month_offset,
                position=template.position,
                due_on=milestone_due(starts_on, ends_on, template.month_offset),
            )
            for template in templates
        ]
    )
    Report.objects.bulk_create(
        [
            Report(facilitation=facilitation, kind=Report.Kind.INTERIM, due_on=interim_due(starts_on, months)),
            Report(facilitation=facilitation, kind=Report.Kind.FINAL, due_on=ends_on),
        ]
    )
    log_event(
        facilitation,
        by,
        "created",
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
        budget=str(facilitation.budget),
    )
    return facilitation


# --- facilitators ------------------------------------------------------------------------


@transaction.atomic
def ensure_facilitator(*, user, by, daily_rate, region="", phone="", active=True) -> Facilitator:
    """Make ``user`` a moderator: the group "Prozessbegleitung" and a facilitator profile (idempotent)."""
    _require_staff(by)
    try:
        daily_rate = Decimal(daily_rate)
    except (InvalidOperation, TypeError, ValueError):
        raise FacilitationError(_("Bitte geben Sie den Tagessatz als Betrag an.")) from None
    if daily_rate <= 0:
        raise FacilitationError(_("Der Tagessatz muss größer als 0 sein."))
    group, _created = Group.objects.get_or_create(name=MODERATOR_GROUP)
    user.groups.add(group)
    facilitator, _created = Facilitator.objects.update_or_create(
        user=user, defaults={"daily_rate": daily_rate, "region": region, "phone": phone, "active": active}
    )
    return facilitator


def check_facilitator_choice(facilitators) -> list[Facilitator]:
    """One or two active moderators; raises ``FacilitationError`` otherwise (also used by admin forms)."""
    chosen = list({f.pk: f for f in facilitators}.values())
    if not 1 <= len(chosen) <= MAX_FACILITATORS:
        raise FacilitationError(_("Eine Prozessbegleitung hat eine oder zwei Prozessbegleiter/innen."))
    moderators = set(
        Facilitator.objects.filter(pk__in=[f.pk for f in chosen], user__groups__name=MODERATOR_GROUP).values_list(
            "pk", flat=True
        )
    )
    for facilitator in chosen:
        if not facilitator.active:
            raise FacilitationError(_("%(name)s ist nicht mehr als Prozessbegleiter/in aktiv.") % {"name": facilitator})
        if facilitator.pk not in moderators:
            raise FacilitationError(
                _("%(name)s gehört nicht zur Gruppe „%(group)s“.") % {"name": facilitator, "group": MODERATOR_GROUP}
            )
    return chosen


@transaction.atomic
def assign_facilitators(*, facilitation: Facilitation, facilitators, by) -> Facilitation:
    """Set the facilitation's one or two moderators."""
    _require_staff(by)
    facilitation = _lock(facilitation)
    _require_active(facilitation)
    chosen = check_facilitator_choice(facilitators)
    before = set(facilitation.facilitators.values_list("pk", flat=True))
    after = {f.pk for f in chosen}
    if before != after:
        facilitation.facilitators.set(chosen)
        log_event(facilitation, by, "facilitators_assigned", facilitators=sorted(after), before=sorted(before))
    return facilitation


# --- period and status changes by the academy ------------------------------------------------


@transaction.atomic
def reschedule_facilitation(*, facilitation: Facilitation, starts_on: date_type, by) -> Facilitation:
    """Move the period; open milestones and the reports' due dates follow."""
    _require_staff(by)
    facilitation = _lock(facilitation)
    _require_active(facilitation)
    if starts_on == facilitation.starts_on:
        return facilitation
    months = _months_of(facilitation.application.funding_round)
    ends_on = period_end(starts_on, months)
    outside = facilitation.sessions.filter(cancelled_at__isnull=True).exclude(date__range=(starts_on, ends_on)).exists()
    if outside:
        raise FacilitationError(
            _("Es gibt gebuchte Einsätze außerhalb des neuen Zeitraums %(start)s bis %(end)s.")
            % {"start": _date(starts_on), "end": _date(ends_on)}
        )
    before = (facilitation.starts_on.isoformat(), facilitation.ends_on.isoformat())
    facilitation.starts_on, facilitation.ends_on = starts_on, ends_on
    facilitation.save(update_fields=["starts_on", "ends_on"])
    milestones = list(facilitation.milestones.filter(done_on__isnull=True))
    for milestone in milestones:
        milestone.due_on = milestone_due(starts_on, ends_on, milestone.month_offset)
    Milestone.objects.bulk_update(milestones, ["due_on"])
    due = {Report.Kind.INTERIM: interim_due(starts_on, months), Report.Kind.FINAL: ends_on}
    reports = list(facilitation.reports.all())
    for report in reports:
        report.due_on = due[report.kind]
    Report.objects.bulk_update(reports, ["due_on"])
    log_event(facilitation, by, "rescheduled", before=before, after=(starts_on.isoformat(), ends_on.isoformat()))
    return facilitation


@transaction.atomic
def update_project_lead(*, facilitation: Facilitation, by, name, function="", email="", phone="") -> Facilitation:
    """The municipality's internal project lead (copied from the application at the award)."""
    _require_staff(by)
    facilitation = _lock(facilitation)
    values = {"lead_name": name, "lead_function": function, "lead_email": email, "lead_phone": phone}
    changed = [field for field, value in values.items() if getattr(facilitation, field) != value]
    for field in changed:
        setattr(facilitation, field, values[field])
    if changed:
        facilitation.save(update_fields=changed)
        log_event(facilitation, by, "project_lead_changed", fields=changed)
    return facilitation


@transaction.atomic
def complete_facilitation(*, facilitation: Facilitation, by) -> Facilitation:
    """Close a facilitation once its final report is accepted."""
    _require_staff(by)
    facilitation = _lock(facilitation)
    _require_active(facilitation)
    if not facilitation.reports.filter(kind=Report.Kind.FINAL, status=Report.Status.ACCEPTED).exists():
        raise FacilitationError(_("Die Prozessbegleitung kann erst nach Annahme des Abschlussberichts enden."))
    facilitation.status = Facilitation.Status.COMPLETED
    facilitation.save(update_fields=["status"])
    log_event(facilitation, by, "completed")
    return facilitation


@transaction.atomic
def cancel_facilitation(*, facilitation: Facilitation, by, reason: str) -> Facilitation:
    _require_staff(by)
    facilitation = _lock(facilitation)
    _require_active(facilitation)
    if not (reason or "").strip():
        raise FacilitationError(_("Bitte geben Sie einen Grund für den Abbruch an."))
    facilitation.status = Facilitation.Status.CANCELLED
    facilitation.save(update_fields=["status"])
    log_event(facilitation, by, "cancelled", reason=reason.strip())
    return facilitation


# --- sessions and budget ---------------------------------------------------------------------


def session_cost(*, duration, unit, daily_rate, travel_costs) -> Decimal:
    """Days × daily rate (hours count as hours ÷ 8 days) + travel costs, rounded to the cent."""
    days = Decimal(duration) if unit == Session.Unit.DAYS else Decimal(duration) / HOURS_PER_DAY
    return (days * Decimal(daily_rate) + Decimal(travel_costs)).quantize(CENT, rounding=ROUND_HALF_UP)


def used_budget(facilitation) -> Decimal:
    """Sum of the costs of the facilitation's sessions that are not cancelled."""
    total = Session.objects.filter(facilitation=facilitation, cancelled_at__isnull=True).aggregate(s=Sum("cost"))["s"]
    return total or Decimal(0)


def _decimal(value, message):
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise FacilitationError(message) from None


def _check_session_values(facilitation, *, date, format, duration, unit, travel_costs, participants):
    if format not in Session.Format.values:
        raise FacilitationError(_("Bitte wählen Sie ein Format des Einsatzes."))
    if unit not in Session.Unit.values:
        raise FacilitationError(_("Bitte geben Sie die Dauer in Tagen oder Stunden an."))
    duration = _decimal(duration, _("Bitte geben Sie die Dauer als Zahl an."))
    limit = MAX_SESSION_DAYS if unit == Session.Unit.DAYS else MAX_SESSION_HOURS
    if not 0 < duration <= limit:
        raise FacilitationError(
            _("Die Dauer muss größer als 0 und höchstens %(limit)s %(unit)s sein.")
            % {"limit": limit, "unit": Session.Unit(unit).label}
        )
    travel_costs = _decimal(travel_costs, _("Bitte geben Sie die Fahrtkosten als Betrag an."))
    if travel_costs < 0:
        raise FacilitationError(_("Die Fahrtkosten dürfen nicht negativ sein."))
    if participants is None or int(participants) < 0:
        raise FacilitationError(_("Die Zahl der Teilnehmenden darf nicht negativ sein."))
    if not facilitation.starts_on <= date <= facilitation.ends_on:
        raise FacilitationError(
            _("Der Einsatz muss im Zeitraum der Prozessbegleitung liegen (%(start)s bis %(end)s).")
            % {"start": _date(facilitation.starts_on), "end": _date(facilitation.ends_on)}
        )
    return duration, travel_costs


@transaction.atomic
def book_session(
    *,
    facilitation: Facilitation,
    by,
    date: date_type,
    format: str,
    duration,
    unit: str = Session.Unit.DAYS,
    travel_costs=Decimal(0),
    participants: int = 0,
    notes: str = "",
    facilitator: Facilitator | None = None,
) -> Session:
    """Log a session and book its cost against the budget, which it may not exceed.

    The facilitation row is locked first, so two bookings at the same moment are serialised
    and the second sees the first one's cost. Moderators book their own sessions; academy
    staff book for any of the facilitation's moderators.
    """
    facilitation = _lock(facilitation)
    own = _require_logger(by, facilitation)
    _require_active(facilitation)
    if facilitator is None:
        facilitator = own
    if facilitator is None:
        raise FacilitationError(_("Bitte wählen Sie die Prozessbegleiterin oder den Prozessbegleiter des Einsatzes."))
    if own is not None and facilitator.pk != own.pk and not is_academy_staff(by):
        raise FacilitationError(_("Sie können nur Ihre eigenen Einsätze buchen."))
    facilitator = Facilitator.objects.filter(pk=facilitator.pk, facilitations=facilitation).first()
    if facilitator is None:
        raise FacilitationError(_("Diese Person begleitet diese Prozessbegleitung nicht."))
    if not facilitator.active:
        raise FacilitationError(_("%(name)s ist nicht mehr als Prozessbegleiter/in aktiv.") % {"name": facilitator})
    duration, travel_costs = _check_session_values(
        facilitation,
        date=date,
        format=format,
        duration=duration,
        unit=unit,
        travel_costs=travel_costs,
        participants=participants,
    )
    cost = session_cost(duration=duration, unit=unit, daily_rate=facilitator.daily_rate, travel_costs=travel_costs)
    remaining = facilitation.budget - used_budget(facilitation)
    if cost > remaining:
        raise FacilitationError(
            _("Das Budget reicht nicht: noch %(left)s frei, dieser Einsatz kostet %(cost)s.")
            % {"left": euro(max(remaining, Decimal(0))), "cost": euro(cost)}
        )
    session = Session.objects.create(
        facilitation=facilitation,
        facilitator=facilitator,
        date=date,
        format=format,
        duration=duration,
        unit=unit,
        travel_costs=travel_costs,
        participants=int(participants),
        notes=(notes or "").strip(),
        daily_rate=facilitator.daily_rate,
        cost=cost,
        booked_by=by,
    )
    if facilitation.status == Facilitation.Status.PLANNED:
        facilitation.status = Facilitation.Status.RUNNING
        facilitation.save(update_fields=["status"])
    log_event(facilitation, by, "session_booked", session=session.pk, cost=str(cost), date=date.isoformat())
    return session


@transaction.atomic
def cancel_session(*, session: Session, by, now=None) -> Session:
    """Cancel a booked session: its cost no longer counts against the budget."""
    now = now or timezone.now()
    facilitation = _lock(session.facilitation)
    own = _require_logger(by, facilitation)
    _require_active(facilitation)
    session = Session.objects.select_for_update().get(pk=session.pk, facilitation=facilitation)
    if own is not None and session.facilitator_id != own.pk and not is_academy_staff(by):
        raise FacilitationError(_("Sie können nur Ihre eigenen Einsätze stornieren."))
    if session.is_cancelled:
        raise FacilitationError(_("Der Einsatz ist bereits storniert."))
    session.cancelled_at, session.cancelled_by = now, by
    session.save(update_fields=["cancelled_at", "cancelled_by"])
    log_event(facilitation, by, "session_cancelled", session=session.pk, cost=str(session.cost))
    return session


# --- milestones --------------------------------------------------------------------------------


@transaction.atomic
def complete_milestone(*, milestone: Milestone, by, done_on: date_type | None = None, now=None) -> Milestone:
    today = timezone.localdate(now or timezone.now())
    facilitation = _lock(milestone.facilitation)
    _require_logger(by, facilitation)
    _require_active(facilitation)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk, facilitation=facilitation)
    done_on = done_on or today
    if done_on > today:
        raise FacilitationError(_("Ein Meilenstein kann nicht in der Zukunft erledigt sein."))
    if milestone.done_on == done_on:
        return milestone
    milestone.done_on, milestone.done_by = done_on, by
    milestone.save(update_fields=["done_on", "done_by"])
    log_event(facilitation, by, "milestone_done", milestone=milestone.pk, done_on=done_on.isoformat())
    return milestone


@transaction.atomic
def reopen_milestone(*, milestone: Milestone, by) -> Milestone:
    facilitation = _lock(milestone.facilitation)
    _require_logger(by, facilitation)
    _require_active(facilitation)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk, facilitation=facilitation)
    if milestone.done_on is None:
        return milestone
    milestone.done_on, milestone.done_by = None, None
    milestone.save(update_fields=["done_on", "done_by"])
    log_event(facilitation, by, "milestone_reopened", milestone=milestone.pk)
    return milestone


# --- reports --------------------------------------------------------------------------------------


def _lock_report(report):
    return Report.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def submit_report(*, report: Report, by, text: str, uploaded_file=None, now=None) -> Report:
    """The municipality submits (or, after a return, resubmits) a report: text and an optional file."""
    now = now or timezone.now()
    facilitation = _lock(report.facilitation)
    report = _lock_report(report)
    if not is_member_of_facilitated(by, facilitation):
        raise FacilitationError(_("Nur bestätigte Mitglieder der Kommune können den Bericht einreichen."))
    if facilitation.status == Facilitation.Status.CANCELLED:
        raise FacilitationError(_("Die Prozessbegleitung ist abgebrochen."))
    if report.status == Report.Status.SUBMITTED:
        raise FacilitationError(_("Der Bericht liegt der Akademie bereits vor."))
    if report.status == Report.Status.ACCEPTED:
        raise FacilitationError(_("Der Bericht ist bereits angenommen."))
    text = (text or "").strip()
    if not text:
        raise FacilitationError(_("Bitte schreiben Sie den Bericht in das Textfeld."))
    fields = ["text", "status", "submitted_at", "submitted_by"]
    if uploaded_file is not None:
        store_upload(report, uploaded_file)
        fields += UPLOAD_FIELDS
    report.text = text
    report.status = Report.Status.SUBMITTED
    report.submitted_at, report.submitted_by = now, by
    report.save(update_fields=fields)
    log_event(facilitation, by, "report_submitted", report=report.pk, kind=report.kind, sha256=report.sha256 or None)
    return report


@transaction.atomic
def accept_report(*, report: Report, by, comment: str = "", now=None) -> Report:
    _require_staff(by)
    facilitation = _lock(report.facilitation)
    report = _lock_report(report)
    if report.status != Report.Status.SUBMITTED:
        raise FacilitationError(_("Nur ein eingereichter Bericht kann angenommen werden."))
    report.status = Report.Status.ACCEPTED
    report.decided_at, report.decided_by = now or timezone.now(), by
    report.staff_comment = (comment or "").strip()
    report.save(update_fields=["status", "decided_at", "decided_by", "staff_comment"])
    log_event(facilitation, by, "report_accepted", report=report.pk, kind=report.kind)
    return report


@transaction.atomic
def return_report(*, report: Report, by, comment: str, now=None) -> Report:
    """Send a report back for revision; the comment tells the municipality what is missing."""
    _require_staff(by)
    facilitation = _lock(report.facilitation)
    report = _lock_report(report)
    if report.status != Report.Status.SUBMITTED:
        raise FacilitationError(_("Nur ein eingereichter Bericht kann zurückgegeben werden."))
    comment = (comment or "").strip()
    if not comment:
        raise FacilitationError(_("Bitte schreiben Sie, was am Bericht zu überarbeiten ist."))
    report.status = Report.Status.RETURNED
    report.decided_at, report.decided_by = now or timezone.now(), by
    report.staff_comment = comment
    report.save(update_fields=["status", "decided_at", "decided_by", "staff_comment"])
    log_event(facilitation, by, "report_returned", report=report.pk, kind=report.kind)
    return report


# --- network meeting ---------------------------------------------------------------------------------


@transaction.atomic
def schedule_network_meeting(
    *, funding_round: FundingRound, date: date_type, venue: str, by, programme=""
) -> NetworkMeeting:
    """Create or update the round's network meeting."""
    _require_staff(by)
    if not (venue or "").strip():
        raise FacilitationError(_("Bitte geben Sie den Ort des Netzwerktreffens an."))
    meeting, _created = NetworkMeeting.objects.update_or_create(
        funding_round=funding_round, defaults={"date": date, "venue": venue.strip(), "programme": programme}
    )
    return meeting


def is_participating(organisation, funding_round_id) -> bool:
    """An organisation takes part in a round's network meeting when it has a (not cancelled) facilitation."""
    return (
        Facilitation.objects.filter(
            application__funding_round_id=funding_round_id, application__organisation=organisation
        )
        .exclude(status=Facilitation.Status.CANCELLED)
        .exists()
    )


def check_poster(uploaded_file):
    """``check_upload`` plus the poster rule: PDF, JPEG or PNG only."""
    try:
        checked = check_upload(uploaded_file)
    except UploadRejected as error:
        if error.code == "type_not_allowed":
            raise _poster_type_rejected() from None
        raise
    if checked.content_type not in POSTER_TYPES:
        raise _poster_type_rejected()
    return checked


def _poster_type_rejected():
    return UploadRejected(_("Als Poster sind nur PDF-, JPEG- und PNG-Dateien erlaubt."), code="poster_type_not_allowed")


def _delegate_names(delegates):
    return [line.strip() for line in (delegates or "").splitlines() if line.strip()]


@transaction.atomic
def register_for_network_meeting(
    *,
    meeting: NetworkMeeting,
    organisation,
    by,
    delegates: str,
    delegate_count: int,
    talk_title: str = "",
    poster=None,
    now=None,
) -> NetworkMeetingRegistration:
    """Register (or update the registration of) a participating organisation; a new poster replaces the old."""
    today = timezone.localdate(now or timezone.now())
    meeting = NetworkMeeting.objects.select_for_update().get(pk=meeting.pk)
    if not Membership.objects.filter(user=by, organisation=organisation, status=Membership.Status.CONFIRMED).exists():
        raise FacilitationError(_("Nur bestätigte Mitglieder der Organisation können sie anmelden."))
    if not is_participating(organisation, meeting.funding_round_id):
        raise FacilitationError(
            _("%(organisation)s nimmt an dieser Förderrunde nicht teil.") % {"organisation": organisation.name}
        )
    if meeting.date < today:
        raise FacilitationError(_("Das Netzwerktreffen hat bereits stattgefunden."))
    names = _delegate_names(delegates)
    if not names:
        raise FacilitationError(_("Bitte nennen Sie mindestens eine teilnehmende Person."))
    try:
        delegate_count = int(delegate_count)
    except (TypeError, ValueError):
        raise FacilitationError(_("Bitte geben Sie die Anzahl der Teilnehmenden als Zahl an.")) from None
    if not 1 <= delegate_count <= MAX_DELEGATES:
        raise FacilitationError(_("Je Organisation können 1 bis %(max)d Personen teilnehmen.") % {"max": MAX_DELEGATES})
    if delegate_count < len(names):
        raise FacilitationError(_("Sie haben mehr Namen genannt als Teilnehmende angegeben."))
    registration = NetworkMeetingRegistration.objects.filter(meeting=meeting, organisation=organisation).first()
    if registration is None:
        registration = NetworkMeetingRegistration(meeting=meeting, organisation=organisation, registered_by=by)
    registration.delegates = "\n".join(names)
    registration.delegate_count = delegate_count
    registration.talk_title = (talk_title or "").strip()
    if poster is not None:
        store_upload(registration, poster, fields=POSTER_FIELDS, check=check_poster)
    registration.save()
    return registration
