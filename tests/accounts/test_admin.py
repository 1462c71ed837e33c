"""The user admin: academy staff cannot grant themselves or others more rights."""

import pytest

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
