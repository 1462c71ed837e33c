"""The applicant sees submitted, in review and released decisions — never reviewers, scores or notes."""

import pytest
from django.urls import reverse

from reviews.models import Recommendation
from reviews.services import (
    assign_reviewer,
    award_application,
    declare_no_conflict,
    finish_review,
    release_decision,
    save_review,
)
from tests.factories import make_academy_staff

pytestmark = pytest.mark.django_db

SECRET_NOTE = "Vertraulich: Bürgermeister wirkte wenig engagiert"


def _pages(client, application):
    client.force_login(application.member)
    return "".join(
        client.get(url).content.decode()
        for url in (
            reverse("applications:dashboard"),
            reverse("applications:overview", args=[application.pk]),
            reverse("applications:receipt", args=[application.pk]),
        )
    )


def test_applicant_never_sees_scores_or_reviewer_identities(client, application, criteria, academy, reviewer):
    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    declare_no_conflict(review=review, reviewer=reviewer)
    save_review(
        review=review,
        reviewer=reviewer,
        scores={c.pk: (3, "Begründung der Gutachterin") for c in criteria},
        recommendation=Recommendation.REJECT,
        note=SECRET_NOTE,
    )
    review = finish_review(review=review, reviewer=reviewer)
    page = _pages(client, application)
    assert "in Prüfung" in page
    for secret in (SECRET_NOTE, "Gisela", "Gutachter", reviewer.email, "Begründung der Gutachterin", str(review.total)):
        assert secret not in page


def test_proposed_decision_stays_invisible_until_released(client, application, two_place_round, academy):
    two_place_round.four_eyes = True
    two_place_round.save()
    decision = award_application(application=application, by=academy)
    assert "bewilligt" not in _pages(client, application)
    release_decision(decision=decision, by=make_academy_staff())
    assert "bewilligt" in _pages(client, application)
