"""Decisions of a round (award, rejection, waiting list, promotion, move to review, proposing and
releasing) only once its deadline has passed: the deadline is the last accepted second, so the
deadline itself is refused and deadline + 1 s is allowed."""

from datetime import timedelta

import pytest

from applications.models import Application
from foerderportal.formatting import format_deadline
from reviews.models import Decision
from reviews.services import (
    ReviewError,
    award_application,
    move_to_review,
    promote_from_waitlist,
    propose_decision,
    reject_application,
    release_decision,
    waitlist_application,
)
from tests.conftest import submitted_application
from tests.factories import FundingRoundFactory, make_academy_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round():
    """The factory's default round: open, the deadline 30 days ahead."""
    return FundingRoundFactory()


def _at_deadline(funding_round):
    return funding_round.deadline


def _just_after(funding_round):
    return funding_round.deadline + timedelta(seconds=1)


DECIDE = {
    "award": lambda a, by, now: award_application(application=a, by=by, now=now),
    "reject": lambda a, by, now: reject_application(application=a, by=by, reasons="Nicht förderfähig.", now=now),
    "waitlist": lambda a, by, now: waitlist_application(application=a, by=by, now=now),
}


@pytest.mark.parametrize("kind", DECIDE)
def test_a_decision_in_an_open_round_is_refused_naming_the_deadline(open_round, academy, kind):
    application = submitted_application(open_round, in_review=False)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.IN_REVIEW)
    with pytest.raises(ReviewError) as refused:
        DECIDE[kind](application, academy, None)
    assert "erst nach Ablauf der Antragsfrist" in refused.value.message
    assert format_deadline(open_round.deadline) in refused.value.message
    assert not Decision.objects.exists()
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW


@pytest.mark.parametrize("kind", DECIDE)
def test_the_deadline_second_itself_is_refused_and_the_next_second_allowed(open_round, academy, kind):
    application = submitted_application(open_round, in_review=False)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.IN_REVIEW)
    with pytest.raises(ReviewError):
        DECIDE[kind](application, academy, _at_deadline(open_round))
    with pytest.raises(ReviewError):
        DECIDE[kind](application, academy, _at_deadline(open_round) + timedelta(microseconds=999_999))
    decision = DECIDE[kind](application, academy, _just_after(open_round))
    assert decision.status == Decision.Status.RELEASED


def test_move_to_review_only_after_the_deadline(open_round, academy):
    application = submitted_application(open_round, in_review=False)
    with pytest.raises(ReviewError) as refused:
        move_to_review(application=application, by=academy, now=_at_deadline(open_round))
    assert "Antragsfrist" in refused.value.message
    moved = move_to_review(application=application, by=academy, now=_just_after(open_round))
    assert moved.status == Application.Status.IN_REVIEW


def test_promotion_from_the_waiting_list_only_after_the_deadline(open_round, academy):
    application = submitted_application(open_round, in_review=False)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.WAITLISTED)
    application.refresh_from_db()
    with pytest.raises(ReviewError):
        promote_from_waitlist(application=application, by=academy, now=_at_deadline(open_round))
    decision = promote_from_waitlist(application=application, by=academy, now=_just_after(open_round))
    assert decision.status == Decision.Status.RELEASED


def test_proposing_and_releasing_under_four_eyes_only_after_the_deadline(academy):
    funding_round = FundingRoundFactory(four_eyes=True)
    colleague = make_academy_staff()
    application = submitted_application(funding_round, in_review=False)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.IN_REVIEW)
    with pytest.raises(ReviewError):
        propose_decision(application=application, kind=Decision.Kind.AWARD, by=academy, now=funding_round.deadline)
    proposal = propose_decision(
        application=application, kind=Decision.Kind.AWARD, by=academy, now=_just_after(funding_round)
    )
    assert proposal.status == Decision.Status.PROPOSED
    # A proposal that slipped in (e.g. the round's deadline was extended) cannot be released early.
    with pytest.raises(ReviewError) as refused:
        release_decision(decision=proposal, by=colleague, now=funding_round.deadline)
    assert "Antragsfrist" in refused.value.message
    proposal.refresh_from_db()
    assert proposal.status == Decision.Status.PROPOSED
    released = release_decision(decision=proposal, by=colleague, now=_just_after(funding_round))
    assert released.status == Decision.Status.RELEASED
