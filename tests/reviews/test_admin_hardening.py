"""Admin paths that would bypass the services are closed."""

import pytest

from applications.models import Membership
from reviews.models import Review
from reviews.services import assign_reviewer, declare_no_conflict, finish_review
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_criteria_are_frozen_once_scoring_started(client, academy, reviewer, application, criteria, funding_round):
    client.force_login(academy)
    url = f"/admin/applications/fundinground/{funding_round.pk}/change/"
    assert 'name="criteria-0-weight"' in client.get(url).content.decode()
    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    declare_no_conflict(review=review, reviewer=reviewer)
    assert 'name="criteria-0-weight"' not in client.get(url).content.decode()


def test_reviews_cannot_be_deleted_in_the_admin(client, academy, reviewer, application):
    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    client.force_login(academy)
    response = client.post(f"/admin/reviews/review/{review.pk}/delete/", {"post": "yes"})
    assert response.status_code in (302, 403)
    assert Review.objects.filter(pk=review.pk).exists()


def test_finishing_without_criteria_gives_a_german_message(academy, reviewer, application):
    from reviews.services import ReviewError

    review = assign_reviewer(application=application, reviewer=reviewer, by=academy)
    declare_no_conflict(review=review, reviewer=reviewer)
    with pytest.raises(ReviewError, match="keine Bewertungskriterien"):
        finish_review(review=review, reviewer=reviewer)


def test_membership_person_and_organisation_are_fixed_once_created(client, academy):
    membership = MembershipFactory(status=Membership.Status.REQUESTED)
    client.force_login(academy)
    page = client.get(f"/admin/applications/membership/{membership.pk}/change/").content.decode()
    assert 'name="organisation"' not in page
    assert 'name="user"' not in page


def test_reviewers_do_not_see_the_decision_trail(client, academy, reviewer, application):
    assign_reviewer(application=application, reviewer=reviewer, by=academy)
    client.force_login(reviewer)
    page = client.get(f"/admin/applications/application/{application.pk}/change/").content.decode()
    assert "in_review" not in page  # the event log's actions
    client.force_login(academy)
    assert "in_review" in client.get(f"/admin/applications/application/{application.pk}/change/").content.decode()
