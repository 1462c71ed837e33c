import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fail(client, email, ip="10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": email, "password": "falsch"}, REMOTE_ADDR=ip)


def test_login_is_locked_after_five_failures_with_a_german_message_saying_when(client, settings):
    UserFactory(email="ziel@kommune.example", password="Sicheres-Passwort-1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _fail(client, "ziel@kommune.example")
        assert response.status_code == 200
        assert "nicht korrekt" in response.content.decode()
    response = _fail(client, "ziel@kommune.example")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in page
    assert "15 Minuten" in page and "Uhr erneut" in page

    # Even the right password is refused while locked.
    response = client.post(
        reverse("accounts:login"),
        {"username": "ziel@kommune.example", "password": "Sicheres-Passwort-1"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 429


def test_lock_applies_to_the_pair_of_user_name_and_address(client, settings):
    UserFactory(email="ziel@kommune.example", password="Sicheres-Passwort-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, "ziel@kommune.example")
    # The same person from another address, and another user from the same address, can still log in.
    ok = client.post(
        reverse("accounts:login"),
        {"username": "ziel@kommune.example", "password": "Sicheres-Passwort-1"},
        REMOTE_ADDR="10.0.0.2",
    )
    assert ok.status_code == 302
    client.logout()
    UserFactory(email="kollegin@kommune.example", password="Sicheres-Passwort-1")
    ok = client.post(
        reverse("accounts:login"),
        {"username": "kollegin@kommune.example", "password": "Sicheres-Passwort-1"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert ok.status_code == 302


def test_the_admin_login_takes_no_password_it_sends_to_the_throttled_portal_login(client, settings):
    """The admin's own login form would be a way around the second factor: it only redirects."""
    UserFactory(email="chef@akademie.example", password="Sicheres-Passwort-1", is_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": "chef@akademie.example", "password": "Sicheres-Passwort-1"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_case_variants_of_the_address_share_one_counter(client, settings):
    UserFactory(email="a@x.de", password="Sicheres-Passwort-1")
    variants = ["A@x.de", "a@X.de", " a@x.de ", "A@X.DE"]
    for variant in variants:
        assert _fail(client, variant).status_code == 200
    assert _fail(client, "a@x.DE").status_code == 429
    right = {"username": "a@x.de", "password": "Sicheres-Passwort-1"}
    assert client.post(reverse("accounts:login"), right, REMOTE_ADDR="10.0.0.1").status_code == 429


def _fail_via_proxy(client, email, forwarded, proxy="192.0.2.10"):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": "falsch"},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_trusted_proxy_the_lock_is_per_real_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="ziel@kommune.example", password="Sicheres-Passwort-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _fail_via_proxy(client, "ziel@kommune.example", "203.0.113.1")
    assert response.status_code == 429
    # Another client behind the same proxy is not locked out.
    ok = client.post(
        reverse("accounts:login"),
        {"username": "ziel@kommune.example", "password": "Sicheres-Passwort-1"},
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )
    assert ok.status_code == 302


def test_behind_a_trusted_proxy_what_the_client_wrote_into_the_header_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="ziel@kommune.example", password="Sicheres-Passwort-1")
    # The client prepends a new invented address each time; the proxy appends the real one.
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = _fail_via_proxy(client, "ziel@kommune.example", f"198.51.100.{n}, 203.0.113.1")
    assert response.status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    UserFactory(email="ziel@kommune.example", password="Sicheres-Passwort-1")
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = _fail_via_proxy(client, "ziel@kommune.example", f"198.51.100.{n}", proxy="10.0.0.1")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "192.0.2.10"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (2, "6.6.6.6, 198.51.100.1, 192.0.2.20", "198.51.100.1"),
        (2, "198.51.100.1", "192.0.2.10"),  # shorter chain than configured: trust nothing in it
        (1, "", "192.0.2.10"),
    ],
)
def test_client_address(rf, settings, count, forwarded, expected):
    from accounts.throttling import client_address

    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
