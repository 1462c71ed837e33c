"""The demo staff logins of `make run` keep working: their authenticator is confirmed with the
published demo secret, load_demo prints it with the current code, and `manage.py demo_otp_code`
prints the code to type after the password."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from demo.twofactor import DEMO_TOTP_SECRET, grouped_secret

pytestmark = pytest.mark.django_db

DEMO_STAFF = [
    ("akademie@demo.example", "Demo-Akademie-2020"),
    ("gutachter@demo.example", "Demo-Gutachter-2020"),
    ("moderation@demo.example", "Demo-Moderation-2020"),
]


@pytest.fixture
def demo(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")  # idempotent: still one device each
    return capsys.readouterr().out


def test_load_demo_prints_the_demo_secret_and_how_to_get_a_code(demo):
    assert grouped_secret() in demo
    assert "manage.py demo_otp_code" in demo
    staff = User.objects.filter(is_staff=True)
    assert staff.count() == 5  # academy, reviewer, three moderators
    for user in staff:
        assert TOTPDevice.objects.filter(user=user).count() == 1
        assert TOTPDevice.objects.get(user=user).confirmed
    applicant = User.objects.get(email="antrag@demo.example")
    assert not TOTPDevice.objects.filter(user=applicant).exists()


@pytest.mark.parametrize(("email", "password"), DEMO_STAFF)
def test_a_demo_staff_login_passes_with_the_printed_code(demo, capsys, email, password):
    client = Client()
    response = client.post(reverse("accounts:login") + "?next=/admin/", {"username": email, "password": password})
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    call_command("demo_otp_code")
    code = capsys.readouterr().out.split()[0]
    assert len(code) == 6 and code.isdigit()
    assert (
        client.post(reverse("accounts:two_factor_verify"), {"code": code, "next": "/admin/"})["Location"] == "/admin/"
    )
    assert client.get("/admin/").status_code == 200


def test_the_demo_code_is_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_otp_code")


def test_the_demo_secret_is_valid_base32_of_twenty_bytes():
    from base64 import b32decode

    assert len(b32decode(DEMO_TOTP_SECRET)) == 20
