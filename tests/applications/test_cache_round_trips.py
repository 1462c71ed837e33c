"""Round trips to the shared cache on the applicant pages (foerderportal.caching.read_ahead): the
signed-in user and the navigation's answer come in one, the dashboard's open rounds and
memberships in one more; what they show is as fresh as before."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.forms import SECTIONS
from facilitation.models import Facilitation
from foerderportal import caching
from tests.conftest import complete
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory
from tests.foerderportal.test_caching import RoundTrips

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, shared_cache):
    membership = MembershipFactory()
    application = complete(
        ApplicationFactory(funding_round=FundingRoundFactory(), organisation=membership.organisation)
    )
    client.force_login(membership.user)
    return membership, application


def reads(client, monkeypatch, url):
    client.get(url)  # the first visit computes and stores the answers
    trips = RoundTrips(monkeypatch)
    response = client.get(url)
    assert response.status_code == 200
    monkeypatch.undo()
    return trips.reads, response


def test_an_application_page_reads_the_user_and_the_navigation_in_one_round_trip(client, monkeypatch, member):
    _membership, application = member
    for url in (
        reverse("applications:overview", args=[application.pk]),
        reverse("applications:section", args=[application.pk, SECTIONS[0].slug]),
    ):
        trips, _response = reads(client, monkeypatch, url)
        assert trips == ["get_many"], url  # sessions live in the database in the tests
        assert caching._read_ahead.get() is None  # what the request read ahead ended with it


def test_the_dashboard_reads_its_cached_answers_in_two_round_trips(client, monkeypatch, member):
    trips, response = reads(client, monkeypatch, reverse("applications:dashboard"))
    assert trips == ["get_many", "get_many"]
    membership, _application = member
    assert membership.organisation.name in response.content.decode()


def test_what_was_read_ahead_is_as_fresh_as_before(client, member):
    membership, application = member
    dashboard = reverse("applications:dashboard")
    assert "Prozessbegleitung" not in client.get(dashboard).content.decode()
    today = timezone.localdate()
    Facilitation.objects.create(  # retires the navigation's answers
        application=application, starts_on=today, ends_on=today + datetime.timedelta(days=730), budget=1
    )
    membership.organisation.name = "Neuer Name"
    membership.organisation.save()  # retires the memberships
    page = client.get(dashboard).content.decode()
    assert "Prozessbegleitung" in page and "Neuer Name" in page
