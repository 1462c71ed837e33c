from decimal import Decimal

import pytest

from applications.models import Application
from reviews.models import Decision, Recommendation, Review
from reviews.selectors import ranking, with_scores
from reviews.services import (
    ReviewError,
    assign_reviewer,
    award_application,
    declare_conflict,
    declare_no_conflict,
    finish_review,
    promote_from_waitlist,
    propose_decision,
    reject_application,
    release_decision,
    save_review,
    waitlist_application,
)
from tests.conftest import submitted_application
from tests.factories import UserFactory, make_academy_staff, make_reviewer

pytestmark = pytest.mark.django_db


def _score(application, reviewer, criteria, points, academy, recommendation=Recommendation.AWARD):
    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    declare_no_conflict(review=review, reviewer=reviewer)
    save_review(
        review=review,
        reviewer=reviewer,
        scores={c.pk: (p, "") for c, p in zip(criteria, points, strict=True)},
        recommendation=recommendation,
    )
    return finish_review(review=review, reviewer=reviewer)


def test_weighted_mean_on_a_hand_checked_example(application, criteria, academy):
    # Weights 3, 2, 1; maxima 10, 5, 4.
    # Reviewer 1: 8/10, 4/5, 2/4 -> (0.8*3 + 0.8*2 + 0.5*1) / 6 * 100 = 4.5/6*100 = 75.00
    # Reviewer 2: 5/10, 5/5, 4/4 -> (0.5*3 + 1.0*2 + 1.0*1) / 6 * 100 = 4.5/6*100 = 75.00? no: 1.5+2+1 = 4.5 -> 75.00
    # Reviewer 3: 10/10, 0/5, 0/4 -> 3/6*100 = 50.00
    first = _score(application, make_reviewer(), criteria, [8, 4, 2], academy)
    second = _score(application, make_reviewer(), criteria, [5, 5, 4], academy)
    third = _score(application, make_reviewer(), criteria, [10, 0, 0], academy)
    assert (first.total, second.total, third.total) == (Decimal("75.00"), Decimal("75.00"), Decimal("50.00"))
    annotated = with_scores(Application.objects.filter(pk=application.pk)).get()
    assert round(Decimal(annotated.mean_score), 2) == Decimal("66.67")
    assert annotated.reviews_finished == 3
    assert annotated.reviews_assigned == 3
    assert Decimal(annotated.score_spread) == Decimal("25.00")


def test_spread_flag_when_reviewers_disagree(application, criteria, academy, two_place_round):
    _score(application, make_reviewer(), criteria, [10, 5, 4], academy)  # 100
    _score(application, make_reviewer(), criteria, [2, 1, 0], academy)  # (0.6+0.4)/6 = 16.67
    [row] = ranking(two_place_round)
    assert row.spread_flag


def test_unfinished_and_conflicting_reviews_count_as_assigned_or_not(application, criteria, academy):
    _score(application, make_reviewer(), criteria, [8, 4, 2], academy)
    open_review = assign_reviewer(application=application, reviewer=make_reviewer(), by=academy)
    conflicted = assign_reviewer(application=application, reviewer=make_reviewer(), by=academy)
    declare_conflict(review=conflicted, reviewer=conflicted.reviewer, reason="Wohnort")
    annotated = with_scores(Application.objects.filter(pk=application.pk)).get()
    assert (annotated.reviews_finished, annotated.reviews_assigned) == (1, 2)
    assert open_review.status == Review.Status.ASSIGNED


def test_declared_conflict_prevents_scoring(application, criteria, academy, reviewer):
    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    declare_conflict(review=review, reviewer=reviewer, reason="Mitglied im Gemeinderat")
    with pytest.raises(ReviewError, match="Befangenheit"):
        save_review(review=review, reviewer=reviewer, scores={criteria[0].pk: (5, "")})
    assert not review.scores.exists()


def test_scoring_needs_the_no_conflict_declaration_first(application, criteria, academy, reviewer):
    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    with pytest.raises(ReviewError, match="Befangenheit"):
        save_review(review=review, reviewer=reviewer, scores={criteria[0].pk: (5, "")})


def test_only_the_assigned_reviewer_scores(application, criteria, academy, reviewer):
    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    with pytest.raises(ReviewError, match="nicht Ihnen zugewiesen"):
        declare_no_conflict(review=review, reviewer=make_reviewer())


def test_finished_review_is_locked(application, criteria, academy, reviewer):
    review = _score(application, reviewer, criteria, [8, 4, 2], academy)
    with pytest.raises(ReviewError, match="abgeschlossen"):
        save_review(review=review, reviewer=reviewer, scores={criteria[0].pk: (1, "")})
    with pytest.raises(ReviewError):
        declare_conflict(review=review, reviewer=reviewer)
    assert review.scores.get(criterion=criteria[0]).points == 8


def test_review_can_be_saved_and_finished_later(application, criteria, academy, reviewer):
    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    declare_no_conflict(review=review, reviewer=reviewer)
    save_review(review=review, reviewer=reviewer, scores={criteria[0].pk: (7, "gut")})
    with pytest.raises(ReviewError, match="Es fehlen Punkte für: Beteiligung, Politische Rückendeckung"):
        finish_review(review=review, reviewer=reviewer)
    save_review(
        review=review,
        reviewer=reviewer,
        scores={criteria[1].pk: (3, ""), criteria[2].pk: (1, "")},
        recommendation=Recommendation.WAITLIST,
    )
    assert finish_review(review=review, reviewer=reviewer).status == Review.Status.FINISHED


def test_points_above_the_maximum_are_refused(application, criteria, academy, reviewer):
    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    declare_no_conflict(review=review, reviewer=reviewer)
    with pytest.raises(ReviewError, match="0 bis 5 Punkte"):
        save_review(review=review, reviewer=reviewer, scores={criteria[1].pk: (6, "")})


def test_only_reviewers_can_be_assigned_and_only_staff_assign(application, academy, reviewer):
    with pytest.raises(ReviewError, match="nicht als Gutachter"):
        assign_reviewer(application=application, reviewer=UserFactory(), by=academy)
    with pytest.raises(ReviewError, match="Akademie"):
        assign_reviewer(application=application, reviewer=reviewer, by=reviewer)


# --- decisions ---------------------------------------------------------------


def test_award_defaults_to_the_round_maximum(application, academy):
    decision = award_application(application=application, by=academy)
    application.refresh_from_db()
    assert decision.status == Decision.Status.RELEASED
    assert application.status == Application.Status.AWARDED
    assert application.awarded_amount == Decimal("40000.00")


def test_award_may_be_lower_never_higher(application, academy):
    with pytest.raises(ReviewError, match="Höchstbetrag je Paket von 40.000,00 €"):
        award_application(application=application, by=academy, amount=Decimal("40000.01"))
    award_application(application=application, by=academy, amount=Decimal("32500.50"))
    application.refresh_from_db()
    assert application.awarded_amount == Decimal("32500.50")


def test_places_cap(two_place_round, academy):
    first, second, third = (submitted_application(two_place_round, by=academy) for _ in range(3))
    two_place_round.budget = Decimal("1000000")
    two_place_round.save()
    award_application(application=first, by=academy, amount=Decimal("1000"))
    award_application(application=second, by=academy, amount=Decimal("1000"))
    with pytest.raises(ReviewError, match="Alle 2 Plätze"):
        award_application(application=third, by=academy, amount=Decimal("1000"))


def test_budget_cap(two_place_round, academy):
    two_place_round.places = 5
    two_place_round.budget = Decimal("70000")
    two_place_round.save()
    first, second = (submitted_application(two_place_round, by=academy) for _ in range(2))
    award_application(application=first, by=academy)
    with pytest.raises(ReviewError, match="Budget reicht nicht: 30.000,00 € frei, 40.000,00 € beantragt"):
        award_application(application=second, by=academy)
    award_application(application=second, by=academy, amount=Decimal("30000"))


def test_reject_needs_reasons_and_waitlist_then_promote(two_place_round, academy):
    application = submitted_application(two_place_round, by=academy)
    with pytest.raises(ReviewError, match="begründen"):
        reject_application(application=application, by=academy, reasons="  ")
    waitlist_application(application=application, by=academy)
    application.refresh_from_db()
    assert application.status == Application.Status.WAITLISTED
    promote_from_waitlist(application=application, by=academy)
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED


def test_four_eyes_blocks_a_self_released_decision(two_place_round, academy):
    two_place_round.four_eyes = True
    two_place_round.save()
    application = submitted_application(two_place_round, by=academy)
    decision = award_application(application=application, by=academy)
    application.refresh_from_db()
    assert decision.status == Decision.Status.PROPOSED
    assert application.status == Application.Status.IN_REVIEW  # nothing reaches the applicant yet
    with pytest.raises(ReviewError, match="Vier-Augen-Prinzip"):
        release_decision(decision=decision, by=academy)
    with pytest.raises(ReviewError, match="bereits ein Vorschlag"):
        propose_decision(application=application, kind=Decision.Kind.REJECT, by=academy, reasons="x")
    release_decision(decision=decision, by=make_academy_staff())
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED


def test_reviewers_cannot_decide(application, reviewer):
    with pytest.raises(ReviewError, match="Akademie"):
        award_application(application=application, by=reviewer)


def test_every_status_change_is_in_the_history_with_user_and_time(two_place_round, academy):
    application = submitted_application(two_place_round, by=academy)
    reject_application(application=application, by=academy, reasons="Kein Beschluss des Gemeinderats")
    history = list(application.history.order_by("history_date").values_list("status", "history_user_id"))
    statuses = [status for status, _ in history]
    assert statuses[-3:] == ["submitted", "in_review", "rejected"]
    assert history[-1][1] == academy.pk
    assert history[-2][1] == academy.pk
    assert history[-3][1] == application.member.pk
    decision = application.decisions.get()
    assert decision.history.filter(history_user=academy).exists()


@pytest.mark.parametrize("decide", ["award", "reject"])
def test_a_bescheid_needs_the_signing_officer_of_its_round(academy, decide):
    from reviews.services import award_application, decision_refusal, reject_application
    from tests.factories import FundingRoundFactory

    funding_round = FundingRoundFactory(closed=True, signing_officer="")
    application = submitted_application(funding_round, by=academy)
    kind = Decision.Kind.AWARD if decide == "award" else Decision.Kind.REJECT
    assert "zeichnende Person" in decision_refusal(application=application, kind=kind, reasons="Zu spät.")
    with pytest.raises(ReviewError, match="zeichnende Person"):
        if decide == "award":
            award_application(application=application, by=academy)
        else:
            reject_application(application=application, by=academy, reasons="Zu spät.")
    assert not Decision.objects.filter(application=application).exists()

    funding_round.signing_officer = "Dr. Petra Beispiel"
    funding_round.save()
    application.refresh_from_db()
    assert decision_refusal(application=application, kind=kind, reasons="Zu spät.") == ""
