"""Admin paths that would bypass the services are closed."""

import pytest

from applications.models import Membership
from reviews.models import Review
from reviews.services import assign_reviewer, declare_no_conflict, finish_review
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_criteria_are_frozen_once_scoring_started(client, academy, reviewer, application, criteria, two_place_round):
    client.force_login(academy)
    url = f"/admin/applications/fundinground/{two_place_round.pk}/change/"
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
    assert "in Prüfung gegeben" not in page  # the event log's actions
    client.force_login(academy)
    page = client.get(f"/admin/applications/application/{application.pk}/change/").content.decode()
    assert "in Prüfung gegeben" in page  # in German: staff never read raw codes
    assert ">in_review<" not in page


def test_round_limits_cannot_drop_below_what_is_awarded(academy, application, two_place_round):
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from reviews.services import award_application

    award_application(application=application, by=academy, amount=Decimal("35000"))
    two_place_round.refresh_from_db()
    two_place_round.places = 0
    two_place_round.budget, two_place_round.max_per_package = Decimal("1000"), Decimal("30000")
    two_place_round.facilitation_months = 12
    with pytest.raises(ValidationError) as error:
        two_place_round.full_clean()
    assert set(error.value.message_dict) == {"places", "budget", "max_per_package", "facilitation_months"}


def test_a_deadline_typed_to_the_minute_means_its_last_second(two_place_round):
    two_place_round.deadline = two_place_round.deadline.replace(second=0)
    two_place_round.full_clean()
    assert two_place_round.deadline.second == 59


def test_letter_corrections_need_the_academy_and_four_eyes(
    academy, application, two_place_round, reviewer, django_capture_on_commit_callbacks
):
    from letters.models import Letter, LetterError
    from letters.services import issue_correction, release_letter
    from reviews.services import award_application
    from tests.factories import make_academy_staff

    two_place_round.four_eyes = False
    two_place_round.save()
    with django_capture_on_commit_callbacks(execute=True):
        award_application(application=application, by=academy)
    letter = Letter.objects.get(application=application, kind=Letter.Kind.AWARD)
    with pytest.raises(LetterError, match="Akademie"):
        issue_correction(letter=letter, by=reviewer, release=False)
    two_place_round.four_eyes = True
    two_place_round.save()
    draft = issue_correction(letter=letter, by=academy, release=False)
    with pytest.raises(LetterError, match="Vier-Augen-Prinzip"):
        release_letter(letter=draft, by=academy)
    assert release_letter(letter=draft, by=make_academy_staff()).is_released
