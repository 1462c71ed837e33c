"""The signed-in user from the shared cache (accounts.backends): one query less on every page, and
still no request served with an outdated user: a changed password ends the other sessions at once,
a deactivated or deleted account is refused on its next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("applications:dashboard")


@pytest.fixture
def user_cache(settings):
    # Production turns it on with a shared cache (Redis); one test process may use its own memory.
    settings.AUTH_USER_CACHE = True


def user_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]


def test_the_user_is_read_once_and_then_from_the_cache(client, user_cache):
    client.force_login(MembershipFactory().user)
    assert len(user_queries(client)) == 1
    assert user_queries(client) == []


def test_without_a_shared_cache_every_request_reads_the_user(client):
    client.force_login(MembershipFactory().user)
    user_queries(client)
    assert len(user_queries(client)) == 1


def test_a_changed_password_ends_the_other_sessions_at_once(client, user_cache):
    user = MembershipFactory().user
    client.force_login(user)
    user_queries(client)  # cached with the old password
    user.set_password("ein ganz neues Passwort 2026")
    user.save()
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_deactivated_account_is_refused_on_its_next_request(client, user_cache):
    user = MembershipFactory().user
    client.force_login(user)
    user_queries(client)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(DASHBOARD).status_code == 302


def test_a_deleted_account_is_refused_on_its_next_request(client, user_cache):
    user = MembershipFactory().user
    client.force_login(user)
    user_queries(client)
    user.delete()
    assert client.get(DASHBOARD).status_code == 302


def test_a_changed_address_shows_on_the_next_page(client, user_cache):
    user = MembershipFactory().user
    client.force_login(user)
    user_queries(client)
    user.email = "neue.adresse@gemeinde.example"
    user.save()
    assert "neue.adresse@gemeinde.example" in client.get(DASHBOARD).content.decode()


def test_a_cache_outage_still_serves_the_page_from_the_database(client, user_cache, monkeypatch):
    from django.core.cache import cache

    client.force_login(MembershipFactory().user)

    def down(*args, **kwargs):
        raise ConnectionError("Redis antwortet nicht")

    for method in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, method, down)
    assert len(user_queries(client)) == 1
