"""Two-factor authentication for staff: the admin is refused to a staff session without the second
factor; the German set-up (QR code, secret, confirmation, recovery codes once); the code step after
the password; recovery codes work once each; wrong codes are throttled; applicants are unaffected;
the academy resets a lost phone (recorded)."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import AccountEvent
from accounts.roles import ensure_roles
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    UserFactory,
    make_academy_staff,
    make_reviewer,
)
from tests.twofactor import current_code, totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "Sicheres-Passwort-1"
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")


@pytest.fixture
def plain():
    """A browser that has only passed the password (Django's client, without the tests' 2FA shortcut)."""
    return Client()


def log_in_with_password(client, user, next_url=""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.email, "password": PASSWORD})


def admin_urls():
    """Lists, a change page, a custom admin view, the index: every kind of admin page."""
    funding_round = FundingRoundFactory(code="IDE-2026")
    application = ApplicationFactory(funding_round=funding_round)
    return [
        reverse("admin:index"),
        reverse("admin:applications_application_changelist"),
        reverse("admin:applications_application_change", args=[application.pk]),
        reverse("admin:applications_fundinground_ranking", args=[funding_round.pk]),
        reverse("admin:reviews_decision_changelist"),
        reverse("admin:auth_group_add"),
        reverse("admin:accounts_user_changelist"),
    ]


@pytest.mark.parametrize("role", ["academy", "reviewer", "superuser"])
def test_a_staff_user_without_a_second_factor_opens_no_admin_page(plain, role):
    ensure_roles()
    user = {
        "academy": make_academy_staff,
        "reviewer": make_reviewer,
        "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
    }[role]()
    plain.force_login(user)
    for url in admin_urls():
        response = plain.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url
    # A device exists but the session did not enter a code: the code page instead.
    totp_device(user)
    response = plain.get(reverse("admin:index"))
    assert response["Location"].startswith(VERIFY)


def test_a_post_to_the_admin_without_the_second_factor_changes_nothing(plain):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    totp_device(superuser)
    applicant = UserFactory()
    plain.force_login(superuser)
    response = plain.post(reverse("admin:auth_group_add"), {"name": "Hintertür"})
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    response = plain.post(
        reverse("admin:accounts_user_changelist"), {"action": "delete_selected", "_selected_action": [applicant.pk]}
    )
    assert response.status_code == 302
    assert not Group.objects.filter(name="Hintertür").exists()
    assert UserFactory._meta.model.objects.filter(pk=applicant.pk).exists()


def test_the_admins_own_login_page_sends_to_the_portal_login(plain):
    response = plain.get(reverse("admin:login") + "?next=/admin/reviews/decision/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=%2Fadmin%2Freviews%2Fdecision%2F"
    # An outside address in next is dropped.
    response = plain.get(reverse("admin:login") + "?next=https://boese.example/")
    assert response["Location"] == reverse("accounts:login") + "?next=%2Fadmin%2F"


def test_applicants_are_unaffected(plain):
    member = MembershipFactory().user
    response = log_in_with_password(plain, member)
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:dashboard")
    assert plain.get(reverse("applications:dashboard")).status_code == 200
    assert not TOTPDevice.objects.filter(user=member).exists()
    # Neither the set-up pages nor the admin are theirs (no endless login loop either).
    assert plain.get(SETUP).status_code == 404
    assert plain.get(VERIFY).status_code == 404
    assert plain.get(reverse("admin:login")).status_code == 403
    assert plain.get(reverse("admin:index"), follow=True).status_code == 403


def test_set_up_end_to_end_in_german(plain):
    ensure_roles()
    staff = make_academy_staff()
    response = log_in_with_password(plain, staff, next_url="/admin/reviews/decision/")
    assert response.status_code == 302
    assert response["Location"] == SETUP + "?next=%2Fadmin%2Freviews%2Fdecision%2F"

    page = plain.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Zwei-Faktor-Anmeldung einrichten" in text
    assert "QR-Code scannen" in text
    assert "<svg" in text and "QR-Code zum Einrichten der Authenticator-App" in text
    assert "style=" not in text and "<script>" not in text  # nothing the CSP refuses
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret = re.search(r'class="two-factor-secret"[^>]*>([A-Z2-7 ]+)<', text).group(1)
    assert len(secret.split()) == 8 and all(len(group) == 4 for group in secret.split())
    code_input = re.search(r'<input[^>]*name="code"[^>]*>', text).group(0)
    assert 'autocomplete="one-time-code"' in code_input and 'inputmode="numeric"' in code_input
    assert 'for="id_code"' in text  # labelled
    # Reloading keeps the secret (it may already be scanned).
    assert secret in plain.get(response["Location"]).content.decode()

    wrong = plain.post(SETUP, {"code": "000000", "next": "/admin/reviews/decision/"})
    assert "Der Code ist nicht gültig" in wrong.content.decode()
    assert 'aria-describedby="id_code_helptext id_code_error"' in wrong.content.decode()  # tied to the field
    assert plain.get(reverse("admin:index")).status_code == 302

    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        done = plain.post(SETUP, {"code": current_code(device), "next": "/admin/reviews/decision/"})
    text = done.content.decode()
    assert done.status_code == 200
    assert "Ihre Wiederherstellungscodes" in text and "nur jetzt angezeigt" in text
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/admin/reviews/decision/"' in text
    device.refresh_from_db()
    assert device.confirmed
    assert plain.get("/admin/reviews/decision/").status_code == 200
    assert AccountEvent.objects.filter(user=staff, action="two_factor_enabled").count() == 1
    # Shown once: the set-up page now sends to the code page, and no page lists the codes again.
    assert plain.get(SETUP)["Location"].startswith(VERIFY)
    assert codes[0] not in plain.get(reverse("accounts:two_factor")).content.decode()


def test_after_the_password_a_staff_user_enters_the_code_then_reaches_the_admin(plain):
    ensure_roles()
    staff = make_reviewer()
    device = totp_device(staff)
    response = log_in_with_password(plain, staff, next_url="/admin/")
    assert response["Location"] == VERIFY + "?next=%2Fadmin%2F"
    page = plain.get(response["Location"]).content.decode()
    assert "Anmeldung bestätigen" in page and "Wiederherstellungscode" in page
    response = plain.post(VERIFY, {"code": current_code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert plain.get("/admin/").status_code == 200
    # The same code does not verify a second time (another browser replaying it).
    other = Client()
    log_in_with_password(other, staff)
    replay = other.post(VERIFY, {"code": current_code(device)})
    assert replay.status_code == 200 and "nicht gültig" in replay.content.decode()


def test_recovery_codes_work_once_each(plain):
    ensure_roles()
    staff = make_academy_staff()
    totp_device(staff)
    codes = services._replace_recovery_codes(staff)
    log_in_with_password(plain, staff)
    response = plain.post(VERIFY, {"recovery_code": f"{codes[0][:4].upper()}-{codes[0][4:]}", "next": "/admin/"})
    assert response.status_code == 302
    assert plain.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=staff).count() == 9
    plain.logout()
    log_in_with_password(plain, staff)
    again = plain.post(VERIFY, {"recovery_code": codes[0]})
    assert again.status_code == 200
    assert "Der Code ist nicht gültig" in again.content.decode()
    assert plain.get("/admin/").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert plain.post(VERIFY, {"recovery_code": codes[1]}).status_code == 302


def test_wrong_codes_are_throttled_and_the_wait_doubles(plain):
    ensure_roles()
    staff = make_academy_staff()
    device = totp_device(staff)
    log_in_with_password(plain, staff)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for attempt in range(5):
            traveller.shift(60 if attempt else 0)  # a minute between tries: each of them counts
            assert plain.post(VERIFY, {"code": "000000"}).status_code == 200
        device.refresh_from_db()
        assert device.throttling_failure_count == 5
        # After five failures the wait is 2⁴ = 16 s: even the right code is refused now.
        refused = plain.post(VERIFY, {"code": current_code(device)})
        assert "Zu viele falsche Codes" in refused.content.decode()
        assert plain.get("/admin/").status_code == 302
        traveller.shift(17)
        assert plain.post(VERIFY, {"code": current_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_guessing_recovery_codes_is_throttled_too(plain):
    ensure_roles()
    staff = make_academy_staff()
    totp_device(staff)
    codes = services._replace_recovery_codes(staff)
    log_in_with_password(plain, staff)
    with time_machine.travel(timezone.now(), tick=False):
        plain.post(VERIFY, {"recovery_code": "aaaaaaaa"})
        refused = plain.post(VERIFY, {"recovery_code": codes[0]})
    assert "Zu viele falsche Codes" in refused.content.decode()
    assert StaticDevice.objects.get(user=staff).throttling_failure_count == 1


def test_the_academy_resets_a_lost_phone_recorded_in_the_history(client):
    ensure_roles()
    academy = make_academy_staff(email="leitung@akademie.example")
    reviewer = make_reviewer(email="gutachterin@lenkungskreis.example")
    totp_device(reviewer)
    services._replace_recovery_codes(reviewer)
    client.force_login(academy)
    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [reviewer.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticDevice.objects.filter(user=reviewer).exists()
    event = AccountEvent.objects.get(user=reviewer, action="two_factor_reset")
    assert event.actor == academy
    assert event.action_label == "Zwei-Faktor-Anmeldung zurückgesetzt"
    # At the next login the reviewer sets up a new authenticator.
    other = Client()
    response = log_in_with_password(other, reviewer)
    assert response["Location"].startswith(SETUP)


def test_resetting_is_refused_for_oneself_and_for_a_superuser_by_non_superusers():
    ensure_roles()
    academy = make_academy_staff()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    totp_device(academy)
    totp_device(superuser)
    with pytest.raises(services.AccountError, match="andere Person"):
        services.reset_two_factor(user=academy, by=academy)
    with pytest.raises(services.AccountError, match="Superuser"):
        services.reset_two_factor(user=superuser, by=academy)
    with pytest.raises(services.AccountError, match="Nur die Akademie"):
        services.reset_two_factor(user=academy, by=make_reviewer())
    assert TOTPDevice.objects.filter(user__in=[academy, superuser]).count() == 2


def test_the_user_admin_shows_the_second_factor_and_its_history(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    reviewer = UserFactory(is_staff=True)
    services.pending_totp_device(user=reviewer)
    client.force_login(superuser)
    page = client.get(reverse("admin:accounts_user_change", args=[reviewer.pk])).content.decode()
    assert "nicht eingerichtet" in page
    totp_device(reviewer)
    services.regenerate_recovery_codes(user=reviewer)
    page = client.get(reverse("admin:accounts_user_change", args=[reviewer.pk])).content.decode()
    assert "eingerichtet, 10 Wiederherstellungscodes übrig" in page
    assert "Wiederherstellungscodes neu erzeugt" in page


def test_device_secrets_are_not_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


@pytest.mark.parametrize(
    "url_name", ["facilitation:index", "facilitation:overview", "applications:dashboard", "accounts:password_change"]
)
def test_the_password_alone_opens_no_portal_page_to_staff(plain, url_name):
    """Moderators' pages and a staff member's own portal pages wait for the code like the admin."""
    from accounts.roles import MODERATOR_GROUP
    from tests.factories import _staff_in_group

    ensure_roles()
    moderator = _staff_in_group(MODERATOR_GROUP)
    totp_device(moderator)
    log_in_with_password(plain, moderator)
    url = reverse(url_name)
    response = plain.get(url)
    assert response.status_code == 302
    assert response["Location"] == VERIFY + "?" + urlencode({"next": url})
    # The steps to the code and the way out stay open.
    assert plain.get(VERIFY).status_code == 200
    assert plain.post(reverse("accounts:logout")).status_code == 302
