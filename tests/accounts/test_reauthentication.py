"""Releasing decisions and changing roles need password and code within the last 15 minutes
(accounts.twofactor.recent_verification_required): fresh, it goes ahead; 16 minutes later, GET and
POST alike are sent to the re-authentication page and nothing happens; after it, back where the
user was, and it goes ahead."""

from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ACADEMY_GROUP, ensure_roles
from applications.models import Application
from reviews.models import Decision
from reviews.services import propose_decision
from tests.conftest import confirmation_fields
from tests.factories import UserFactory, make_academy_staff
from tests.twofactor import current_code

pytestmark = pytest.mark.django_db

DECISIONS = reverse("admin:reviews_decision_changelist")
REAUTH = reverse("accounts:reauthenticate")
LATER = timedelta(minutes=16)


@pytest.fixture(autouse=True)
def roles(db):
    ensure_roles()


def reauthenticate(client, user, next_url, *, password="Sicheres-Passwort-1"):
    from tests.twofactor import totp_device

    device = totp_device(user)
    return client.post(REAUTH, {"password": password, "code": current_code(device), "next": next_url})


@pytest.fixture
def proposal(two_place_round, academy, application):
    two_place_round.four_eyes = True
    two_place_round.save()
    return propose_decision(application=application, kind=Decision.Kind.AWARD, by=academy)


def release(client, proposal):
    return client.post(DECISIONS, {"action": "release", "_selected_action": [proposal.pk]})


def test_a_fresh_second_factor_releases(client, proposal):
    colleague = make_academy_staff()
    client.force_login(colleague)
    page = release(client, proposal)
    assert page.status_code == 200 and 'name="confirmation"' in page.content.decode()
    client.post(DECISIONS, confirmation_fields(page))
    proposal.refresh_from_db()
    assert proposal.status == Decision.Status.RELEASED


def test_sixteen_minutes_later_the_release_asks_again_then_goes_ahead(client, proposal, mailoutbox):
    colleague = make_academy_staff()
    client.force_login(colleague)
    page = release(client, proposal)  # the confirmation page, opened in time
    with time_machine.travel(timezone.now() + LATER):
        response = client.post(DECISIONS, confirmation_fields(page))  # confirmed too late
        assert response.status_code == 302
        assert response["Location"] == f"{REAUTH}?next={quote(DECISIONS, safe='')}"
        proposal.refresh_from_db()
        assert proposal.status == Decision.Status.PROPOSED
        assert mailoutbox == []
        form = client.get(response["Location"]).content.decode()
        assert "Erneut bestätigen" in form and "15 Minuten" in form

        wrong = client.post(REAUTH, {"password": "falsch-falsch", "code": "123456", "next": DECISIONS})
        assert wrong.status_code == 200 and "Das Passwort ist nicht korrekt." in wrong.content.decode()
        back = reauthenticate(client, colleague, DECISIONS)
        assert back.status_code == 302 and back["Location"] == DECISIONS

        page = release(client, proposal)
        client.post(DECISIONS, confirmation_fields(page))
    proposal.refresh_from_db()
    assert proposal.status == Decision.Status.RELEASED


def test_each_decision_path_asks_again_after_fifteen_minutes(client, academy, application):
    client.force_login(academy)
    change_url = reverse("admin:applications_application_change", args=[application.pk])
    paths = [
        (
            reverse("admin:applications_application_changelist"),
            {"action": "award", "_selected_action": [application.pk]},
        ),
        (reverse("admin:applications_application_decide", args=[application.pk]), {"kind": "award"}),
        (reverse("admin:applications_fundinground_award", args=[application.funding_round_id, application.pk]), {}),
    ]
    with time_machine.travel(timezone.now() + LATER):
        for url, data in paths:
            response = client.post(url, data)
            assert response.status_code == 302, url
            assert response["Location"].startswith(REAUTH), url
        # A POST-only view sends back to the page its form is on.
        assert quote(change_url, safe="") in client.post(paths[1][0], paths[1][1])["Location"]
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    assert not Decision.objects.filter(application=application).exists()


def test_role_changes_ask_again_after_fifteen_minutes(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    applicant = UserFactory()
    academy_group = Group.objects.get(name=ACADEMY_GROUP)
    client.force_login(superuser)
    user_url = reverse("admin:accounts_user_change", args=[applicant.pk])
    group_url = reverse("admin:auth_group_change", args=[academy_group.pk])
    assert client.get(user_url).status_code == 200
    assert client.get(group_url).status_code == 200
    with time_machine.travel(timezone.now() + LATER):
        for url in (user_url, group_url, reverse("admin:auth_group_add")):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == f"{REAUTH}?next={quote(url, safe='')}"
        data = {"email": applicant.email, "is_active": "on", "is_staff": "on", "groups": [academy_group.pk]}
        assert client.post(user_url, data).status_code == 302
        assert client.post(reverse("admin:auth_group_add"), {"name": "Neue Rolle"}).status_code == 302
        bulk = {"action": "delete_selected", "_selected_action": [academy_group.pk], "post": "yes"}
        assert client.post(reverse("admin:auth_group_changelist"), bulk)["Location"].startswith(REAUTH)
        applicant.refresh_from_db()
        assert not applicant.is_staff and applicant.groups.count() == 0
        assert not Group.objects.filter(name="Neue Rolle").exists()
        assert Group.objects.filter(pk=academy_group.pk).exists()
        # The list itself stays readable.
        assert client.get(reverse("admin:auth_group_changelist")).status_code == 200

        assert reauthenticate(client, superuser, user_url)["Location"] == user_url
        assert client.get(user_url).status_code == 200


def test_academy_staff_editing_an_applicant_are_not_asked(client):
    # Only a superuser's form changes roles; academy staff edit applicants' names without re-authenticating.
    academy = make_academy_staff()
    client.force_login(academy)
    with time_machine.travel(timezone.now() + LATER):
        assert client.get(reverse("admin:accounts_user_change", args=[UserFactory().pk])).status_code == 200


def test_the_reauthentication_returns_only_within_the_site(client):
    academy = make_academy_staff()
    client.force_login(academy)
    for step, next_url in enumerate(["https://boese.example/admin/", "//boese.example/"]):
        with time_machine.travel(timezone.now() + timedelta(seconds=31 * step)):  # a new code each time
            response = reauthenticate(client, academy, next_url)
        assert response["Location"] == reverse("admin:index")


def test_regenerating_recovery_codes_needs_a_recent_second_factor(client):
    from accounts import services

    academy = make_academy_staff()
    client.force_login(academy)
    old = services._replace_recovery_codes(academy)
    url = reverse("accounts:regenerate_recovery_codes")
    with time_machine.travel(timezone.now() + LATER):
        assert client.post(url)["Location"].startswith(REAUTH)
        assert services.remaining_recovery_codes(academy) == 10
        reauthenticate(client, academy, reverse("accounts:two_factor"))
        page = client.post(url).content.decode()
    assert "Ihre Wiederherstellungscodes" in page
    assert f"{old[0][:4]}-{old[0][4:]}" not in page
    with pytest.raises(services.AccountError):
        services.verify_second_factor(user=academy, recovery_code=old[0])
