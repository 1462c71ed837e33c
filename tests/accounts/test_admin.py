"""The user admin: academy staff cannot grant themselves or others more rights."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import UserFactory, make_academy_staff

pytestmark = pytest.mark.django_db


def test_academy_staff_cannot_grant_superuser_groups_or_permissions(client):
    academy = make_academy_staff()
    target = UserFactory()
    client.force_login(academy)
    page = client.get(f"/admin/accounts/user/{target.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="groups"' not in page
    assert 'name="user_permissions"' not in page


def test_academy_staff_cannot_change_a_superuser(client):
    client.force_login(make_academy_staff())
    boss = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(f"/admin/accounts/user/{boss.pk}/password/", {"password1": "x", "password2": "x"})
    assert response.status_code == 403


def test_superuser_assigns_roles(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/accounts/user/{UserFactory().pk}/change/").content.decode()
    assert 'name="groups"' in page


# --- staff accounts are a superuser's: academy staff edit applicant accounts only ----------------

USERS = "/admin/accounts/user/"


def user_change_data(user, **changes):
    """The user admin's change form as a browser posts it, with ``changes`` (None leaves a field out)."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "job_title": user.job_title,
        "phone": user.phone,
        "is_active": "on" if user.is_active else None,
        "is_staff": "on" if user.is_staff else None,
        "date_joined_0": "2020-01-01",
        "date_joined_1": "10:00:00",
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def staff_targets(db):
    """Accounts academy staff must not touch: a colleague, a reviewer, an inactive staff account."""
    from tests.factories import make_reviewer

    return {
        "colleague": make_academy_staff(),
        "reviewer": make_reviewer(),
        "inactive staff": make_academy_staff(is_active=False),
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize("target", ["colleague", "reviewer", "inactive staff", "superuser", "self"])
def test_academy_staff_cannot_change_a_staff_account(client, staff_targets, target):
    academy = make_academy_staff()
    user = academy if target == "self" else staff_targets[target]
    email, password, active = user.email, user.password, user.is_active
    client.force_login(academy)
    change = f"{USERS}{user.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200  # read-only
    assert 'name="email"' not in page.content.decode() and 'name="_save"' not in page.content.decode()
    assert client.post(change, user_change_data(user, email="akademie@fa.example", is_active=None)).status_code == 403
    new_password = {"password1": "Neues-Passwort-77", "password2": "Neues-Passwort-77"}
    assert client.post(f"{USERS}{user.pk}/password/", new_password).status_code == 403
    assert client.post(f"{USERS}{user.pk}/delete/", {"post": "yes"}).status_code == 403
    user.refresh_from_db()
    assert (user.email, user.password, user.is_active) == (email, password, active)


def test_academy_staff_cannot_bulk_delete_a_staff_account(client, staff_targets):
    client.force_login(make_academy_staff())
    applicant = UserFactory()
    selected = [applicant.pk, staff_targets["colleague"].pk]
    response = client.post(USERS, {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk__in=selected).count() == 2


def test_academy_staff_edit_applicant_accounts_without_granting_rights(client):
    from django.contrib.auth.models import Group

    from accounts.roles import ACADEMY_GROUP

    client.force_login(make_academy_staff())
    applicant = UserFactory()
    data = user_change_data(
        applicant,
        email="neu@kommune.example",
        is_active=None,
        is_staff="on",
        is_superuser="on",
        groups=[Group.objects.get(name=ACADEMY_GROUP).pk],
    )
    assert client.post(f"{USERS}{applicant.pk}/change/", data).status_code == 302
    applicant.refresh_from_db()
    assert (applicant.email, applicant.is_active) == ("neu@kommune.example", False)
    assert (applicant.is_staff, applicant.is_superuser, applicant.groups.count()) == (False, False, 0)
    new_password = {"password1": "Neues-Passwort-77", "password2": "Neues-Passwort-77"}
    assert client.post(f"{USERS}{applicant.pk}/password/", new_password).status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password("Neues-Passwort-77")


def test_academy_staff_create_only_applicant_accounts(client):
    client.force_login(make_academy_staff())
    data = {
        "email": "neu@fa.example",
        "password1": "Neues-Passwort-77",
        "password2": "Neues-Passwort-77",
        "usable_password": "true",
        "is_staff": "on",
        "is_superuser": "on",
    }
    assert client.post(f"{USERS}add/", data).status_code == 302
    created = get_user_model().objects.get(email="neu@fa.example")
    assert (created.is_staff, created.is_superuser, created.groups.count()) == (False, False, 0)
    page = client.get(f"{USERS}{created.pk}/change/").content.decode()
    assert 'name="is_staff"' not in page and 'name="is_superuser"' not in page


def test_a_superuser_manages_staff_accounts(client, staff_targets):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    colleague = staff_targets["colleague"]
    new_password = {"password1": "Neues-Passwort-77", "password2": "Neues-Passwort-77"}
    assert client.post(f"{USERS}{colleague.pk}/password/", new_password).status_code == 302
    colleague.refresh_from_db()
    assert colleague.check_password("Neues-Passwort-77")
    page = client.get(f"{USERS}{colleague.pk}/change/").content.decode()
    assert 'name="is_staff"' in page and 'name="email"' in page
