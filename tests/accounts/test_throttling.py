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


def test_admin_login_is_throttled_too(client, settings):
    UserFactory(email="chef@akademie.example", password="Sicheres-Passwort-1", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("admin:login"), {"username": "chef@akademie.example", "password": "falsch"}, REMOTE_ADDR="10.0.0.9"
        )
    assert response.status_code == 429
