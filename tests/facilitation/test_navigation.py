"""The "Prozessbegleitung" link: cached per user, and never out of date after a change that matters."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Membership
from facilitation import services
from tests.factories import MembershipFactory, UserFactory

from .conftest import make_facilitation, make_moderator

pytestmark = pytest.mark.django_db

LINK = f'href="{reverse("facilitation:index")}"'


def shows_link(client):
    return LINK in client.get(reverse("applications:dashboard")).content.decode()


def facilitation_queries(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("applications:dashboard"))
    return [q["sql"] for q in queries if 'FROM "facilitation_facilitation"' in q["sql"]]


def test_the_answer_is_asked_once_and_then_read_from_the_cache(client):
    client.force_login(MembershipFactory().user)
    assert len(facilitation_queries(client)) == 1
    assert facilitation_queries(client) == []
    cache.clear()  # a flushed cache only costs the query again
    assert len(facilitation_queries(client)) == 1


def test_a_member_sees_the_link_as_soon_as_the_membership_is_confirmed_and_not_after_it_ends(client, academy):
    facilitation = make_facilitation(by=academy)
    user = UserFactory()
    client.force_login(user)
    assert not shows_link(client)
    membership = MembershipFactory(
        user=user, organisation=facilitation.application.organisation, status=Membership.Status.REQUESTED
    )
    assert not shows_link(client)
    membership.status = Membership.Status.CONFIRMED
    membership.save()
    assert shows_link(client)
    membership.delete()
    assert not shows_link(client)


def test_members_see_the_link_once_their_organisation_has_a_facilitation(client, academy):
    facilitation = make_facilitation(by=academy)
    member = facilitation.member
    facilitation.delete()
    client.force_login(member)
    assert not shows_link(client)
    facilitation = make_facilitation(by=academy)
    MembershipFactory(user=member, organisation=facilitation.application.organisation)
    assert shows_link(client)


def test_a_moderator_sees_the_link_while_assigned(client, academy):
    moderator = make_moderator(staff_user=academy)
    facilitation = make_facilitation(by=academy)
    client.force_login(moderator.user)
    client.get("/")  # staff pass the second factor first (TwoFactorClient); the dashboard is a portal page
    assert not shows_link(client)
    services.assign_facilitators(facilitation=facilitation, facilitators=[moderator], by=academy)
    assert shows_link(client)
    facilitation.facilitators.remove(moderator)
    assert not shows_link(client)


def test_each_user_has_their_own_answer(client, academy):
    facilitation = make_facilitation(by=academy)
    outsider = MembershipFactory().user
    client.force_login(facilitation.member)
    assert shows_link(client)
    client.force_login(outsider)
    assert not shows_link(client)
    client.force_login(facilitation.member)
    assert shows_link(client)


def test_a_cache_outage_fails_neither_a_save_nor_a_page(client, academy, monkeypatch):
    """Like the sessions (cached_db), the navigation falls back to the database when the cache is down."""
    facilitation = make_facilitation(by=academy)
    user = UserFactory()

    def down(*args, **kwargs):
        raise ConnectionError("Redis antwortet nicht")

    for method in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, method, down)
    membership = MembershipFactory(user=user, organisation=facilitation.application.organisation)  # saved
    client.force_login(user)
    assert shows_link(client)
    membership.delete()
    assert not shows_link(client)
