"""The open rounds of the dashboard and the home page (selectors.open_rounds): read from the cache
after the first request, and still never out of date: a new, changed or deleted round or programme
shows at once, a deadline that runs out needs no change at all."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import selectors
from tests.factories import FundingRoundFactory, MembershipFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("applications:dashboard")


@pytest.fixture
def member_client(client):
    client.force_login(MembershipFactory().user)
    return client


def dashboard(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(DASHBOARD).content.decode()
    return page, sum('FROM "applications_fundinground"' in q["sql"] for q in queries)


def test_the_rounds_are_read_once_and_then_from_the_cache(member_client):
    FundingRoundFactory(name="Förderrunde Frühjahr")
    page, round_queries = dashboard(member_client)
    assert "Förderrunde Frühjahr" in page and round_queries == 1
    page, round_queries = dashboard(member_client)
    assert "Förderrunde Frühjahr" in page and round_queries == 0


def test_a_new_changed_or_deleted_round_shows_at_once(member_client):
    dashboard(member_client)
    funding_round = FundingRoundFactory(name="Förderrunde Frühjahr")
    assert "Förderrunde Frühjahr" in dashboard(member_client)[0]
    funding_round.name = "Förderrunde Sommer"
    funding_round.save()
    assert "Förderrunde Sommer" in dashboard(member_client)[0]
    funding_round.deadline = timezone.now() - timedelta(days=1)  # closed early by the academy
    funding_round.save()
    assert "Förderrunde Sommer" not in dashboard(member_client)[0]
    funding_round.deadline = timezone.now() + timedelta(days=5)
    funding_round.save()
    assert "Förderrunde Sommer" in dashboard(member_client)[0]
    funding_round.delete()
    assert "Förderrunde Sommer" not in dashboard(member_client)[0]


def test_a_changed_programme_shows_at_once():
    funding_round = FundingRoundFactory()
    assert selectors.open_rounds()[0].programme.name == funding_round.programme.name
    funding_round.programme.name = "Integration durch Engagement (neu)"
    funding_round.programme.save()
    assert selectors.open_rounds()[0].programme.name == "Integration durch Engagement (neu)"


def test_a_deadline_that_runs_out_closes_the_round_without_any_change():
    funding_round = FundingRoundFactory()
    assert selectors.open_rounds() == [funding_round]
    with time_machine.travel(funding_round.deadline + timedelta(seconds=1), tick=False):
        assert selectors.open_rounds() == []


def test_a_round_that_opens_later_appears_when_it_opens():
    funding_round = FundingRoundFactory(opens_at=timezone.now() + timedelta(days=2))
    assert selectors.open_rounds() == []
    with time_machine.travel(funding_round.opens_at, tick=False):
        assert selectors.open_rounds() == [funding_round]


def test_asking_about_an_earlier_moment_finds_a_round_closed_since():
    funding_round = FundingRoundFactory(closed=True)
    assert selectors.open_rounds() == []  # cached now, without the closed round
    assert selectors.open_rounds(funding_round.deadline - timedelta(hours=1)) == [funding_round]
