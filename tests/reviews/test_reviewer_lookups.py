"""Reviewers never see aggregates or other reviewers' work, whatever they put in the query string.

Django's changelist accepts lookups on local fields and annotations by default: ``?mean_score__lt=60``
would filter a reviewer's list by the other reviewers' scores without any column showing them.
For reviewers, the application and review lists accept only their list filters (anything else is
HTTP 400) and carry no score annotations; the academy keeps its score filters.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import ensure_roles
from reviews.models import Recommendation, Review, Score
from reviews.services import assign_reviewer, declare_no_conflict
from tests.conftest import submitted_application
from tests.factories import CriterionFactory, make_reviewer

pytestmark = pytest.mark.django_db

APPLICATIONS = "/admin/applications/application/"
REVIEWS = "/admin/reviews/review/"


@pytest.fixture
def setting(two_place_round, academy, reviewer):
    """Two applications assigned to ``reviewer`` (reviews still open) and to another reviewer,
    who finished with 90 points for the first and 30 for the second."""
    ensure_roles()
    other = make_reviewer(email="anderer@lenkungskreis.example")
    criterion = CriterionFactory(funding_round=two_place_round, max_points=10)
    high = submitted_application(two_place_round, by=academy, organisation_name="Hochdorf")
    low = submitted_application(two_place_round, by=academy, organisation_name="Tiefenbach")
    others = {}
    for application, total in ((high, "90.00"), (low, "30.00")):
        declare_no_conflict(
            review=assign_reviewer(application=application, reviewer=reviewer, by=academy), reviewer=reviewer
        )
        review = assign_reviewer(application=application, reviewer=other, by=academy)
        Review.objects.filter(pk=review.pk).update(
            status=Review.Status.FINISHED,
            total=Decimal(total),
            recommendation=Recommendation.AWARD,
            finished_at=timezone.now(),
        )
        Score.objects.create(review=review, criterion=criterion, points=int(Decimal(total)) // 10)
        others[application.reference_number] = review
    return {"high": high, "low": low, "other": other, "other_reviews": others}


# Parameters that would filter by what a reviewer must not know: 400 for reviewers.
LEAKING_APPLICATION_PARAMS = [
    "mean_score__lt=60",
    "mean_score__gte=60",
    "mean_score__isnull=True",
    "score_spread__gt=1",
    "max_score__gt=50",
    "min_score__lt=50",
    "reviews_finished__gte=1",
    "reviews_assigned=2",
    "reviews__total__gt=50",
    "reviews__scores__points=3",
    "reviews__scores__points__gte=9",
    "reviews__reviewer__email=anderer@lenkungskreis.example",
    "reviews__status=finished",
    "reviews__recommendation=award",
    "decisions__amount__gt=0",
    "decisions__status=proposed",
    "awarded_amount__gt=0",
    "events__action=in_review",
    "reference_number__startswith=IDE",
]
# Parameters of the list's own filters, search and sorting: they reveal nothing about scores.
HARMLESS_APPLICATION_PARAMS = [
    "status__exact=in_review",
    "organisation__kind__exact=stadt",
    "organisation__region__exact=1",
    "funding_round__id__exact={round}",
    "q=Hochdorf",
    "o=1",
    "o=-2.5",
    "o=7",
]


def _references(response):
    page = response.content.decode()
    return {ref for ref in ("IDE-2026-0001", "IDE-2026-0002") if ref in page}


# The same for the review list, which shows a reviewer only their own reviews.
LEAKING_REVIEW_PARAMS = [
    "total__gt=50",
    "reviewer__email=anderer@lenkungskreis.example",
    "reviewer__id__exact={other}",
    "scores__points__gte=9",
    "application__reviews__total__gt=50",
    "application__reviews__reviewer__email=anderer@lenkungskreis.example",
    "application__reviews__scores__points=9",
    "application__decisions__amount__gt=0",
    "status__in=finished,open",
]
HARMLESS_REVIEW_PARAMS = [
    "status__exact=open",
    "recommendation__exact=award",
    "application__funding_round__id__exact={round}",
    "q=Hochdorf",
    "o=6",
    "o=-7",
]


LEAKING = [(APPLICATIONS, p) for p in LEAKING_APPLICATION_PARAMS] + [(REVIEWS, p) for p in LEAKING_REVIEW_PARAMS]
HARMLESS = [(APPLICATIONS, p) for p in HARMLESS_APPLICATION_PARAMS] + [(REVIEWS, p) for p in HARMLESS_REVIEW_PARAMS]


def _query(param, setting, funding_round):
    return param.format(other=setting["other"].pk, round=funding_round.pk)


@pytest.mark.parametrize(("changelist", "param"), LEAKING)
def test_reviewers_get_400_for_score_and_relation_lookups(
    client, setting, reviewer, two_place_round, changelist, param
):
    client.force_login(reviewer)
    assert client.get(f"{changelist}?{_query(param, setting, two_place_round)}").status_code == 400


@pytest.mark.parametrize(("changelist", "param"), HARMLESS)
def test_reviewers_list_filters_search_and_sorting_reveal_nothing(
    client, setting, reviewer, two_place_round, changelist, param
):
    client.force_login(reviewer)
    response = client.get(f"{changelist}?{_query(param, setting, two_place_round)}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "90,00" not in page and "30,00" not in page and "Mittelwert" not in page and "abweichend" not in page
    assert str(setting["other"]) not in page


@pytest.mark.parametrize(
    ("param", "expected"), [("mean_score__lt=60", {"low"}), ("score_spread__gte=0", {"high", "low"})]
)
def test_the_academy_still_filters_by_scores(client, setting, academy, param, expected):
    client.force_login(academy)
    response = client.get(f"{APPLICATIONS}?{param}")
    assert response.status_code == 200
    assert _references(response) == {setting[name].reference_number for name in expected}
    assert "Mittelwert" in response.content.decode()


def test_the_reviewer_list_carries_no_score_annotations(rf, setting, reviewer):
    from django.contrib.admin.sites import site

    from applications.models import Application

    request = rf.get(APPLICATIONS)
    request.user = reviewer
    queryset = site._registry[Application].get_queryset(request)
    assert not {"mean_score", "score_spread", "reviews_finished", "reviews_assigned"} & set(queryset.query.annotations)


# --- the review pages and the autocomplete ---------------------------------------------------


def test_other_reviewers_reviews_and_their_history_are_404(client, setting, reviewer):
    client.force_login(reviewer)
    for review in setting["other_reviews"].values():
        assert client.get(f"{REVIEWS}{review.pk}/change/").status_code == 404
        assert client.get(f"{REVIEWS}{review.pk}/history/").status_code == 404
        version = review.history.latest()
        assert client.get(f"{REVIEWS}{review.pk}/history/{version.pk}/").status_code == 404


def test_the_autocomplete_offers_a_reviewer_only_their_own_reviews_and_assignments(client, setting, reviewer):
    client.force_login(reviewer)
    own = {str(pk) for pk in Review.objects.filter(reviewer=reviewer).values_list("pk", flat=True)}
    response = client.get(
        "/admin/autocomplete/", {"app_label": "reviews", "model_name": "score", "field_name": "review"}
    )
    if response.status_code == 200:
        assert {result["id"] for result in response.json()["results"]} <= own
    else:
        assert response.status_code in (403, 404)
    response = client.get(
        "/admin/autocomplete/", {"app_label": "reviews", "model_name": "review", "field_name": "application"}
    )
    if response.status_code == 200:
        ids = {result["id"] for result in response.json()["results"]}
        assert ids <= {str(setting["high"].pk), str(setting["low"].pk)}
        assert "90" not in response.content.decode()
    else:
        assert response.status_code in (403, 404)
