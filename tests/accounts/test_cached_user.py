"""The signed-in user from the shared cache (accounts.backends): one query less on every page, and
still no request served with an outdated user: a changed password ends the other sessions at once,
a deactivated or deleted account is refused on its next request. The password hash never reaches
the cache, sessions from before the cached backend stay signed in, and a refused login hashes the
password once."""

import pickle

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import backends
from foerderportal import caching
from tests.factories import MembershipFactory, UserFactory
from tests.twofactor import TwoFactorClient

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("applications:dashboard")
PASSWORD = "Altes-Passwort-der-Gemeinde-1"
NEW_PASSWORD = "Neues-Passwort-der-Gemeinde-2"


def user_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]


def test_the_user_is_read_once_and_then_from_the_cache(client, shared_cache):
    client.force_login(MembershipFactory().user)
    assert len(user_queries(client)) == 1
    assert user_queries(client) == []


def test_without_a_shared_cache_every_request_reads_the_user(client):
    client.force_login(MembershipFactory().user)
    user_queries(client)
    assert len(user_queries(client)) == 1


def test_the_password_hash_never_reaches_the_cache(client, shared_cache):
    user = MembershipFactory().user
    client.force_login(user)
    user_queries(client)
    generation, cached = cache.get(caching.stored_key(backends._entry_key(user.pk)))
    assert "password" not in cached.__dict__
    assert user.password.encode() not in pickle.dumps(cached)
    assert cached.check_password("Sicheres-Passwort-1")  # the factory's password, loaded when asked for


def test_a_password_changed_in_one_session_ends_the_others_at_once(client, shared_cache):
    user = MembershipFactory(user=UserFactory(password=PASSWORD)).user
    other_device = TwoFactorClient()
    for device in (client, other_device):
        device.force_login(user)
        user_queries(device)  # both served from the cached user with the old password
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302  # the old password was checked against the database's hash
    assert client.get(DASHBOARD).status_code == 200  # the session that changed it stays signed in
    response = other_device.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_deactivated_account_is_refused_on_its_next_request(client, shared_cache):
    user = MembershipFactory().user
    client.force_login(user)
    user_queries(client)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(DASHBOARD).status_code == 302


def test_a_deleted_account_is_refused_on_its_next_request(client, shared_cache):
    user = MembershipFactory().user
    client.force_login(user)
    user_queries(client)
    user.delete()
    assert client.get(DASHBOARD).status_code == 302


def test_a_changed_address_shows_on_the_next_page(client, shared_cache):
    user = MembershipFactory().user
    client.force_login(user)
    user_queries(client)
    user.email = "neue.adresse@gemeinde.example"
    user.save()
    assert "neue.adresse@gemeinde.example" in client.get(DASHBOARD).content.decode()


def test_a_new_secret_key_never_meets_a_session_hash_an_old_key_made(client, shared_cache, settings):
    # Sessions read from Redis (cached_db) are not signed: only the session hash ends them.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(MembershipFactory().user)
    user_queries(client)
    settings.SECRET_KEY = "ein-neuer-schluessel-" + "x" * 40
    backends._secret_digest.cache_clear()
    try:
        assert client.get(DASHBOARD).status_code == 302  # the rotation signs everybody out, as without cache
    finally:
        backends._secret_digest.cache_clear()


def test_sessions_from_before_the_cached_backend_stay_signed_in(client, shared_cache):
    client.force_login(MembershipFactory().user, backend=backends.LEGACY_BACKEND)
    assert len(user_queries(client)) == 1
    assert len(user_queries(client)) == 1  # found by the legacy entry, from the database


def test_a_refused_login_checks_the_password_once(client, shared_cache, monkeypatch):
    UserFactory(email="ziel@kommune.example", password=PASSWORD)
    calls, failures = [], []
    original = ModelBackend.authenticate

    def counted(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return original(self, *args, **kwargs)

    def failed(sender, credentials, **kwargs):
        failures.append(credentials["username"])

    monkeypatch.setattr(ModelBackend, "authenticate", counted)
    user_login_failed.connect(failed, dispatch_uid="test-count-failures")
    try:
        response = client.post(reverse("accounts:login"), {"username": "ziel@kommune.example", "password": "falsch"})
    finally:
        user_login_failed.disconnect(dispatch_uid="test-count-failures")
    assert response.status_code == 200
    assert calls == ["CachedUserBackend"]  # not the legacy entry a second time
    assert failures == ["ziel@kommune.example"]  # one failed login for the lockout count, as before
    response = client.post(reverse("accounts:login"), {"username": "ziel@kommune.example", "password": PASSWORD})
    assert response.status_code == 302


def test_a_cache_outage_serves_the_page_from_the_database(client, shared_cache, monkeypatch):
    client.force_login(MembershipFactory().user)
    user_queries(client)
    assert user_queries(client) == []  # cached ...

    def down(*args, **kwargs):
        raise ConnectionError("Redis antwortet nicht")

    for method in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, method, down)
    assert len(user_queries(client)) == 1  # ... and from the database while the cache is down
