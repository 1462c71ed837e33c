"""Four eyes, dates and limits of a round are fixed once a decision was proposed (except for a
superuser); every change of a round is in its history, attributed to the person."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import FundingRound
from reviews.services import LOCKED_ROUND_FIELDS, ReviewError, change_round
from tests.factories import UserFactory
from tests.reviews.conftest import round_form_data

pytestmark = pytest.mark.django_db


def _new_values(funding_round):
    return {
        "four_eyes": not funding_round.four_eyes,
        "opens_at": funding_round.opens_at - timedelta(days=1),
        "deadline": funding_round.deadline + timedelta(days=1),
        "places": funding_round.places + 3,
        "budget": funding_round.budget + Decimal("40000"),
        "max_per_package": funding_round.max_per_package - Decimal("1000"),
        "facilitation_months": 12,
    }


def test_every_locked_field_has_a_test_value(two_place_round):
    assert set(_new_values(two_place_round)) == set(LOCKED_ROUND_FIELDS)


@pytest.mark.parametrize("field", LOCKED_ROUND_FIELDS)
def test_after_a_proposal_the_academy_cannot_change_four_eyes_dates_or_limits(
    field, two_place_round, proposal, academy
):
    before = getattr(two_place_round, field)
    value = _new_values(two_place_round)[field]
    with pytest.raises(ReviewError, match="nur noch ein Superuser"):
        change_round(funding_round=two_place_round, by=academy, changes={field: value})
    two_place_round.refresh_from_db()
    assert getattr(two_place_round, field) == before


def test_a_cancelled_proposal_keeps_the_round_locked(two_place_round, proposal, academy):
    from reviews.services import cancel_decision

    cancel_decision(decision=proposal, by=academy)
    with pytest.raises(ReviewError, match="Vier-Augen-Prinzip"):
        change_round(funding_round=two_place_round, by=academy, changes={"four_eyes": False})


def test_before_any_proposal_the_academy_changes_the_round_on_record(two_place_round, application, academy):
    changed = change_round(funding_round=two_place_round, by=academy, changes=_new_values(two_place_round))
    assert (changed.places, changed.facilitation_months) == (5, 12)
    latest = two_place_round.history.latest()
    assert (latest.history_user, latest.places, latest.history_type) == (academy, 5, "~")


def test_after_a_proposal_other_settings_stay_editable(two_place_round, proposal, academy):
    changed = change_round(
        funding_round=two_place_round,
        by=academy,
        changes={"name": "Ausschreibung 2026", "spread_threshold": Decimal("15"), "four_eyes": True},
    )
    assert (changed.name, changed.spread_threshold, changed.four_eyes) == ("Ausschreibung 2026", 15, True)


def test_a_superuser_may_still_change_them_and_it_is_on_record(two_place_round, proposal):
    boss = UserFactory(is_staff=True, is_superuser=True)
    change_round(funding_round=two_place_round, by=boss, changes={"places": 3, "four_eyes": False})
    two_place_round.refresh_from_db()
    assert (two_place_round.places, two_place_round.four_eyes) == (3, False)
    latest = two_place_round.history.latest()
    assert (latest.history_user, latest.four_eyes) == (boss, False)


def test_limits_still_cannot_drop_below_what_is_awarded(two_place_round, application, academy):
    boss = UserFactory(is_staff=True, is_superuser=True)
    two_place_round.four_eyes = False
    two_place_round.save()
    from reviews.services import award_application

    FundingRound.objects.filter(pk=two_place_round.pk).update(deadline=two_place_round.opens_at + timedelta(days=1))
    award_application(application=application, by=academy)
    with pytest.raises(ReviewError, match="bereits 1 Platz vergeben"):
        change_round(funding_round=two_place_round, by=boss, changes={"places": 0})


def test_only_the_academy_changes_a_round(two_place_round, reviewer):
    with pytest.raises(ReviewError, match="Akademie"):
        change_round(funding_round=two_place_round, by=reviewer, changes={"name": "Neu"})


# --- the admin ---------------------------------------------------------------------------


def _url(funding_round):
    return reverse("admin:applications_fundinground_change", args=[funding_round.pk])


def test_the_admin_shows_the_locked_fields_read_only_with_a_german_reason(client, two_place_round, proposal, academy):
    client.force_login(academy)
    page = client.get(_url(two_place_round)).content.decode()
    assert 'id="round-locked"' in page and "nur ein Superuser" in page.replace("Nur", "nur")
    for field in LOCKED_ROUND_FIELDS:
        assert f'name="{field}' not in page, field
    assert 'name="name"' in page and 'name="spread_threshold"' in page

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(_url(two_place_round)).content.decode()
    assert 'id="round-locked"' not in page and 'name="four_eyes"' in page


def test_unticking_four_eyes_in_the_admin_after_a_proposal_changes_nothing(client, two_place_round, proposal, academy):
    client.force_login(academy)
    response = client.post(_url(two_place_round), round_form_data(two_place_round, four_eyes=None, places=9))
    assert response.status_code == 302, response.content.decode()[:2000]
    two_place_round.refresh_from_db()
    assert (two_place_round.four_eyes, two_place_round.places) == (True, 2)


def test_admin_changes_are_in_the_history_attributed_to_the_person(client, two_place_round, academy):
    client.force_login(academy)
    response = client.post(_url(two_place_round), round_form_data(two_place_round, places=4, four_eyes=None))
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = two_place_round.history.latest()
    assert (latest.history_user, latest.places, latest.four_eyes) == (academy, 4, False)

    history = client.get(reverse("admin:applications_fundinground_history", args=[two_place_round.pk]))
    assert history.status_code == 200
    assert str(academy) in history.content.decode()
    # The history page reads, it never reverts.
    version = reverse("admin:applications_fundinground_simple_history", args=[two_place_round.pk, latest.pk])
    assert client.get(version).status_code == 200
    assert client.post(version, round_form_data(two_place_round)).status_code == 403
