"""Reads for review and ranking: aggregates in the database, a fixed number of queries."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, Max, Min, Q

from accounts.roles import is_academy_staff
from applications.models import Application, OrganisationKind, Region

from .models import Decision, Review

FINISHED = Q(reviews__status=Review.Status.FINISHED)
ACTIVE = ~Q(reviews__status=Review.Status.CONFLICT)
RANKED_STATUSES = [
    Application.Status.SUBMITTED,
    Application.Status.IN_REVIEW,
    Application.Status.INFO_REQUESTED,
    Application.Status.AWARDED,
    Application.Status.WAITLISTED,
    Application.Status.REJECTED,
]


def with_scores(queryset):
    """Annotate mean weighted score, spread and review counts (finished vs. assigned)."""
    return queryset.annotate(
        mean_score=Avg("reviews__total", filter=FINISHED),
        max_score=Max("reviews__total", filter=FINISHED),
        min_score=Min("reviews__total", filter=FINISHED),
        reviews_finished=Count("reviews", filter=FINISHED, distinct=True),
        reviews_assigned=Count("reviews", filter=Q(reviews__isnull=False) & ACTIVE, distinct=True),
    ).annotate(score_spread=F("max_score") - F("min_score"))


def applications_for_staff(user):
    """What a staff user may see in the admin: all for the academy, only assignments for reviewers."""
    queryset = Application.objects.all()
    if not is_academy_staff(user):
        # A subquery, not a join: a join would narrow later score annotations to this reviewer's review.
        assigned = Review.objects.filter(reviewer=user).exclude(status=Review.Status.CONFLICT).values("application_id")
        queryset = queryset.filter(pk__in=assigned)
    return queryset


def round_has_decisions(funding_round) -> bool:
    """True once any decision of the round was proposed (released, cancelled or still open)."""
    return Decision.objects.filter(application__funding_round_id=funding_round.pk).exists()


def changed_after_review(review) -> bool:
    """The application was re-submitted (after a request for missing items) after the reviewer last
    worked on the review (finished it, or last saved it): the review may rest on an older version."""
    resubmitted_at = review.application.resubmitted_at
    if resubmitted_at is None:
        return False
    last_saved = review.finished_at
    if last_saved is None:
        latest = review.history.order_by("-history_date").values_list("history_date", flat=True).first()
        last_saved = latest or review.assigned_at
    return resubmitted_at > last_saved


def reviews_for_staff(user):
    queryset = Review.objects.select_related("application__organisation", "application__funding_round", "reviewer")
    if not is_academy_staff(user):
        queryset = queryset.filter(reviewer=user).exclude(status=Review.Status.CONFLICT)
    return queryset


# The ranking needs no application text: loading only these keeps 10,000 rows cheap.
RANKING_FIELDS = (
    "funding_round_id",
    "organisation_id",
    "status",
    "reference_number",
    "awarded_amount",
    "submitted_at",
    "organisation__name",
    "organisation__kind",
    "organisation__key",
    "organisation__county",
    "organisation__region",
)


@dataclass
class RankingRow:
    rank: int
    application: Application
    requested: Decimal
    cumulative: Decimal
    within_funding: bool
    spread_flag: bool


def ranking(funding_round):
    """Applications by mean weighted score, with the funding line where places or budget run out.

    Already awarded applications count with their amount, the others with the round's maximum.
    """
    queryset = with_scores(
        Application.objects.filter(funding_round=funding_round, status__in=RANKED_STATUSES)
        .select_related("organisation")
        .only(*RANKING_FIELDS)
    ).order_by(F("mean_score").desc(nulls_last=True), "submitted_at", "pk")
    rows, cumulative, places = [], Decimal(0), 0
    for rank, application in enumerate(queryset, start=1):
        requested = application.awarded_amount or funding_round.max_per_package
        fundable = application.status != Application.Status.REJECTED
        within = fundable and places < funding_round.places and cumulative + requested <= funding_round.budget
        if within:
            cumulative += requested
            places += 1
        spread = application.score_spread is not None and application.score_spread > funding_round.spread_threshold
        rows.append(RankingRow(rank, application, requested, cumulative, within, spread))
    return rows


def distribution(rows):
    """Balance for the committee, from ranking rows (no further queries):
    per Regierungsbezirk and per organisation kind, all ranked vs. within the funding line."""
    region_labels, kind_labels = dict(Region.choices), dict(OrganisationKind.choices)  # translated once
    by_region, by_kind = {}, {}
    for row in rows:
        org = row.application.organisation
        for table, key in ((by_region, region_labels[org.region]), (by_kind, kind_labels[org.kind])):
            entry = table.setdefault(key, {"label": key, "total": 0, "within": 0})
            entry["total"] += 1
            entry["within"] += row.within_funding
    return sorted(by_region.values(), key=lambda e: e["label"]), sorted(by_kind.values(), key=lambda e: e["label"])


def rounds_with_pending_decisions():
    """Ids of the rounds with a proposed, not yet released or discarded decision (four eyes)."""
    return Decision.objects.filter(status=Decision.Status.PROPOSED).values("application__funding_round_id")


#: An application needs at least this many reviewers (assignments without a declared conflict).
MIN_REVIEWS = 2
AWAITING_REVIEWS_STATUSES = [Application.Status.SUBMITTED, Application.Status.IN_REVIEW]


def applications_missing_reviews():
    """Submitted or in review, and either fewer than ``MIN_REVIEWS`` reviewers assigned (declared
    conflicts do not count) or fewer reviews finished than assigned: the academy must assign or remind."""
    return (
        Application.objects.filter(status__in=AWAITING_REVIEWS_STATUSES)
        .annotate(
            active_reviews=Count("reviews", filter=ACTIVE & Q(reviews__isnull=False), distinct=True),
            finished_reviews=Count("reviews", filter=FINISHED, distinct=True),
        )
        .filter(Q(active_reviews__lt=MIN_REVIEWS) | Q(finished_reviews__lt=F("active_reviews")))
    )


def proposals_awaiting_release(user=None):
    """Proposed decisions (four eyes) not yet released or discarded; with ``user``: those someone
    else proposed, which this person may release."""
    queryset = Decision.objects.filter(status=Decision.Status.PROPOSED)
    return queryset.exclude(proposed_by=user) if user is not None else queryset


def unfinished_reviews(user):
    """A reviewer's own assignments still to do (conflict not yet declared, or scoring open)."""
    return Review.objects.filter(reviewer=user, status__in=[Review.Status.ASSIGNED, Review.Status.OPEN])
