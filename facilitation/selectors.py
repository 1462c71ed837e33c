"""Reads of the facilitation. Every portal lookup goes through a user-scoped queryset here,
so another organisation's or another moderator's object answers 404.

The overview annotates in the database (subqueries for the used budget, the next open
milestone and the overdue reports, a prefetch for the moderators): its query count does
not grow with the number of facilitations.
"""

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from accounts.roles import is_academy_staff
from applications.models import Membership

from .models import Facilitation, Facilitator, Milestone, NetworkMeeting, Report, Session

MONEY = DecimalField(max_digits=12, decimal_places=2)


def confirmed_organisation_ids(user):
    return Membership.objects.filter(user=user, status=Membership.Status.CONFIRMED).values("organisation_id")


def moderated_facilitations(user):
    """The facilitations a moderator is assigned to (admin and portal)."""
    if not user.is_authenticated:
        return Facilitation.objects.none()
    return Facilitation.objects.filter(facilitators__user=user)


def facilitations_for_user(user):
    """Academy staff: all; moderators: their own; municipal staff: their organisations' facilitations."""
    if not user.is_authenticated:
        return Facilitation.objects.none()
    queryset = Facilitation.objects.select_related("application__organisation", "application__funding_round")
    if is_academy_staff(user):
        return queryset
    moderated = Facilitation.facilitators.through.objects.filter(facilitator__user=user).values("facilitation_id")
    return queryset.filter(Q(pk__in=moderated) | Q(application__organisation_id__in=confirmed_organisation_ids(user)))


def with_budget(queryset):
    """Annotate ``used`` (sum of booked, not cancelled sessions), ``remaining`` and ``used_percent``."""
    used = (
        Session.objects.filter(facilitation=OuterRef("pk"), cancelled_at__isnull=True)
        .values("facilitation")
        .annotate(total=Sum("cost"))
        .values("total")
    )
    return queryset.annotate(
        used=Coalesce(Subquery(used, output_field=MONEY), Value(Decimal(0)), output_field=MONEY),
    ).annotate(
        remaining=F("budget") - F("used"),
        used_percent=Cast("used", FloatField()) * Value(100.0) / Cast("budget", FloatField()),
    )


def with_overview(queryset, today):
    """``with_budget`` plus the next open milestone and the number of overdue reports."""
    open_milestones = Milestone.objects.filter(facilitation=OuterRef("pk"), done_on__isnull=True).order_by(
        "due_on", "position", "pk"
    )
    overdue = (
        Report.objects.filter(facilitation=OuterRef("pk"), status__in=Report.OUTSTANDING, due_on__lt=today)
        .values("facilitation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return with_budget(queryset).annotate(
        next_milestone_due=Subquery(open_milestones.values("due_on")[:1]),
        next_milestone_title=Subquery(open_milestones.values("title")[:1]),
        overdue_reports=Coalesce(Subquery(overdue), Value(0)),
    )


FACILITATORS_WITH_USERS = Prefetch("facilitators", queryset=Facilitator.objects.select_related("user"))

#: sort key in the URL → ordering field
OVERVIEW_SORTS = {
    "organisation": "application__organisation__name",
    "round": "application__funding_round__name",
    "status": "status",
    "start": "starts_on",
    "budget": "budget",
    "used": "used",
    "used_percent": "used_percent",
    "remaining": "remaining",
    "next_milestone": "next_milestone_due",
    "overdue": "overdue_reports",
}


def parse_sort(sort):
    """``"-used"`` → ``("used", True)``; unknown keys fall back to the organisation."""
    sort = sort or "organisation"
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in OVERVIEW_SORTS:
        return "organisation", False
    return key, descending


def overview(*, today, sort="organisation", funding_round_id=None):
    """Every facilitation with budget figures, next open milestone and overdue reports (staff)."""
    key, descending = parse_sort(sort)
    field = F(OVERVIEW_SORTS[key])
    ordering = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    queryset = Facilitation.objects.select_related("application__organisation", "application__funding_round")
    if funding_round_id:
        queryset = queryset.filter(application__funding_round_id=funding_round_id)
    return (
        with_overview(queryset, today)
        .prefetch_related(FACILITATORS_WITH_USERS)
        .order_by(ordering, "application__organisation__name", "pk")
    )


def plan(facilitation):
    return facilitation.milestones.order_by("position", "due_on", "pk")


def sessions(facilitation):
    return facilitation.sessions.select_related("facilitator__user").order_by("date", "pk")


def reports(facilitation):
    return facilitation.reports.order_by("due_on", "pk")


# --- network meeting -------------------------------------------------------------------------


def meetings_for_user(user):
    """Staff: all; otherwise meetings of rounds in which the user's facilitations take part."""
    if not user.is_authenticated:
        return NetworkMeeting.objects.none()
    queryset = NetworkMeeting.objects.select_related("funding_round")
    if is_academy_staff(user):
        return queryset
    rounds = (
        facilitations_for_user(user)
        .exclude(status=Facilitation.Status.CANCELLED)
        .values("application__funding_round_id")
    )
    return queryset.filter(funding_round_id__in=rounds)


def registrable_organisations(user, meeting):
    """The user's confirmed organisations taking part in the meeting's round."""
    from applications.models import Organisation

    if not user.is_authenticated:
        return Organisation.objects.none()
    participating = (
        Facilitation.objects.filter(application__funding_round_id=meeting.funding_round_id)
        .exclude(status=Facilitation.Status.CANCELLED)
        .values("application__organisation_id")
    )
    return Organisation.objects.filter(pk__in=confirmed_organisation_ids(user)).filter(pk__in=participating)


def posters(meeting):
    return meeting.registrations.exclude(poster="").select_related("organisation").order_by("organisation__name")


def facilitations_with_overdue_reports(today):
    """Facilitations owing a report (open or returned) whose due date passed before ``today``."""
    overdue = Report.objects.filter(status__in=Report.OUTSTANDING, due_on__lt=today)
    return Facilitation.objects.filter(pk__in=overdue.values("facilitation_id"))


def facilitations_with_overdue_milestones(today):
    """Facilitations with a milestone not reported done whose due date passed before ``today``."""
    overdue = Milestone.objects.filter(done_on__isnull=True, due_on__lt=today)
    return Facilitation.objects.filter(pk__in=overdue.values("facilitation_id"))
