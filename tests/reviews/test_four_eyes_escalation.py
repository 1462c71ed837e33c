"""Four eyes cannot be defeated: an academy account that proposed a decision cannot, by any admin
URL, obtain the means to release it itself — no colleague's password or e-mail, no second
account, no rights, no flag flip, no edited decision, no reverted history, no self-release."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.roles import ACADEMY_GROUP
from applications.models import Application
from reviews.models import Decision
from reviews.services import ReviewError, change_round, release_decision
from tests.accounts.test_admin import user_change_data
from tests.factories import UserFactory, make_academy_staff
from tests.reviews.conftest import round_form_data

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"
NEW_PASSWORD = {"password1": "Neues-Passwort-77", "password2": "Neues-Passwort-77"}
MY_MAILBOX = "privat@proposer.example"


@pytest.fixture
def dormant(db):
    """A deactivated academy account: activated, it would be a second pair of eyes."""
    return make_academy_staff(is_active=False, email="ehemalig@fa.example")


@pytest.fixture
def proposer(client, proposal, academy):
    """The academy account that proposed; after every path, its proposal still waits for a second
    person and the application is undecided."""
    client.force_login(academy)
    yield academy
    proposal.refresh_from_db()
    assert (proposal.status, proposal.proposed_by) == (Decision.Status.PROPOSED, academy)
    assert Application.objects.get(pk=proposal.application_id).status == Application.Status.IN_REVIEW


# --- the means: another account ---------------------------------------------------------------


def test_cannot_set_a_colleagues_password(client, proposer, colleague):
    old = colleague.password
    assert client.post(f"{USERS}{colleague.pk}/password/", NEW_PASSWORD).status_code == 403
    colleague.refresh_from_db()
    assert colleague.password == old
    assert not colleague.check_password(NEW_PASSWORD["password1"])


def test_cannot_set_a_colleagues_e_mail_for_a_password_reset(client, proposer, colleague):
    response = client.post(f"{USERS}{colleague.pk}/change/", user_change_data(colleague, email=MY_MAILBOX))
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.email != MY_MAILBOX
    client.logout()
    client.post(reverse("accounts:password_reset"), {"email": MY_MAILBOX})
    assert all(MY_MAILBOX not in message.to for message in mail.outbox)


@pytest.mark.parametrize("who", ["dormant", "colleague"])
def test_cannot_activate_or_deactivate_staff_accounts(client, proposer, dormant, colleague, who):
    target = {"dormant": dormant, "colleague": colleague}[who]
    before = target.is_active
    data = user_change_data(target, is_active=None if before else "on")
    assert client.post(f"{USERS}{target.pk}/change/", data).status_code == 403
    target.refresh_from_db()
    assert target.is_active == before


@pytest.mark.parametrize("rights", [{"is_superuser": "on"}, {"groups": "academy"}, {"user_permissions": "all"}])
@pytest.mark.parametrize("whose", ["own", "applicant"])
def test_cannot_grant_groups_superuser_or_permissions(client, proposer, rights, whose):
    target = proposer if whose == "own" else UserFactory(email="kommune@kommune.example")
    value = next(iter(rights.values()))
    if value == "academy":
        rights = {"groups": [Group.objects.get(name=ACADEMY_GROUP).pk]}
    elif value == "all":
        from django.contrib.auth.models import Permission

        rights = {"user_permissions": list(Permission.objects.values_list("pk", flat=True)[:50])}
    data = user_change_data(target, is_staff="on", **rights)
    response = client.post(f"{USERS}{target.pk}/change/", data)
    assert response.status_code == (403 if whose == "own" else 302)
    target.refresh_from_db()
    assert not target.is_superuser and not target.user_permissions.exists()
    assert target.is_staff == (whose == "own")
    assert list(target.groups.values_list("name", flat=True)) == ([ACADEMY_GROUP] if whose == "own" else [])


def test_cannot_change_the_roles_themselves(client, proposer):
    academy_group = Group.objects.get(name=ACADEMY_GROUP)
    assert client.get(f"/admin/auth/group/{academy_group.pk}/change/").status_code == 403
    assert client.post("/admin/auth/group/add/", {"name": "Zweite Akademie"}).status_code == 403
    assert not Group.objects.filter(name="Zweite Akademie").exists()


def test_cannot_create_a_staff_account(client, proposer):
    data = {"email": MY_MAILBOX, "usable_password": "true", "is_staff": "on", "is_superuser": "on", **NEW_PASSWORD}
    assert client.post(f"{USERS}add/", data).status_code == 302
    created = get_user_model().objects.get(email=MY_MAILBOX)
    data = user_change_data(created, is_staff="on", groups=[Group.objects.get(name=ACADEMY_GROUP).pk])
    client.post(f"{USERS}{created.pk}/change/", data)
    created.refresh_from_db()
    assert (created.is_staff, created.is_superuser, created.groups.count()) == (False, False, 0)
    with pytest.raises(ReviewError, match="Akademie"):
        release_decision(decision=Decision.objects.get(), by=created)


def test_cannot_delete_a_colleague_to_be_the_only_academy_account(client, proposer, colleague):
    assert client.post(f"{USERS}{colleague.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(USERS, {"action": "delete_selected", "_selected_action": [colleague.pk], "post": "yes"})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=colleague.pk).exists()


# --- the means: the round's four-eyes flag -------------------------------------------------


def test_cannot_untick_four_eyes_release_and_tick_it_again(client, proposer, proposal, two_place_round):
    url = reverse("admin:applications_fundinground_change", args=[two_place_round.pk])
    client.post(url, round_form_data(two_place_round, four_eyes=None))
    two_place_round.refresh_from_db()
    assert two_place_round.four_eyes
    with pytest.raises(ReviewError, match="nur noch ein Superuser"):
        change_round(funding_round=two_place_round, by=proposer, changes={"four_eyes": False})
    with pytest.raises(ReviewError, match="Vier-Augen-Prinzip"):
        release_decision(decision=proposal, by=proposer)
    client.post(url, round_form_data(two_place_round, four_eyes="on"))
    assert not two_place_round.history.filter(history_date__gte=proposal.proposed_at, four_eyes=False).exists()
    two_place_round.refresh_from_db()
    assert two_place_round.four_eyes


@pytest.mark.parametrize("field", ["deadline", "places"])
def test_cannot_move_the_dates_or_limits_either(client, proposer, two_place_round, field):
    url = reverse("admin:applications_fundinground_change", args=[two_place_round.pk])
    deadline = two_place_round.deadline
    changes = {"places": 9} if field == "places" else {"deadline_0": (deadline + timedelta(days=60)).date().isoformat()}
    client.post(url, round_form_data(two_place_round, **changes))
    two_place_round.refresh_from_db()
    assert (two_place_round.places, two_place_round.deadline) == (2, deadline)


# --- the decision and its history ------------------------------------------------------


def test_cannot_edit_re_attribute_add_or_delete_a_decision(client, proposer, proposal, colleague):
    change = reverse("admin:reviews_decision_change", args=[proposal.pk])
    assert client.post(change, {"proposed_by": colleague.pk, "status": "released"}).status_code == 403
    assert client.post(reverse("admin:reviews_decision_add"), {"proposed_by": colleague.pk}).status_code == 403
    assert client.post(reverse("admin:reviews_decision_delete", args=[proposal.pk]), {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("model", ["decision", "round", "application"])
def test_cannot_revert_history(client, proposer, proposal, colleague, model):
    if model == "decision":
        # A version of the decision that names the colleague as the proposer.
        version = proposal.history.latest()
        version.pk = None
        version.proposed_by = colleague
        version.save()
        url = reverse("admin:reviews_decision_simple_history", args=[proposal.pk, version.pk])
        data = {"proposed_by": colleague.pk}
    elif model == "round":
        funding_round = proposal.application.funding_round
        version = funding_round.history.earliest()
        url = reverse("admin:applications_fundinground_simple_history", args=[funding_round.pk, version.pk])
        data = round_form_data(funding_round, four_eyes=None)
    else:
        application = proposal.application
        version = application.history.earliest()
        url = reverse("admin:applications_application_simple_history", args=[application.pk, version.pk])
        data = {"status": "submitted"}
    assert client.post(url, data).status_code == 403
    assert proposal.application.funding_round.__class__.objects.get().four_eyes


# --- releasing one's own proposal (the proposer fixture checks it still waits) ----------------


def test_cannot_release_through_the_decision_admin(client, proposer, proposal):
    response = client.post(
        reverse("admin:reviews_decision_changelist"),
        {"action": "release", "_selected_action": [proposal.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200


def test_cannot_release_through_the_ranking(client, proposer, proposal, two_place_round):
    url = reverse("admin:applications_fundinground_award", args=[two_place_round.pk, proposal.application_id])
    client.post(url, {"post": "yes"}, follow=True)
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("action", ["award", "promote", "waitlist"])
def test_cannot_release_through_the_bulk_actions(client, proposer, proposal, action):
    client.post(
        reverse("admin:applications_application_changelist"),
        {"action": action, "_selected_action": [proposal.application_id], "post": "yes"},
        follow=True,
    )
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("kind", ["award", "waitlist"])
def test_cannot_release_through_the_decision_form(client, proposer, proposal, kind):
    url = reverse("admin:applications_application_decide", args=[proposal.application_id])
    client.post(url, {"kind": kind, "amount": "40000", "post": "yes"}, follow=True)
    assert Decision.objects.count() == 1


def test_the_colleague_is_the_second_pair_of_eyes(client, proposal, colleague):
    """Not vacuous: the same proposal is released by another academy account."""
    assert release_decision(decision=proposal, by=colleague).status == Decision.Status.RELEASED
