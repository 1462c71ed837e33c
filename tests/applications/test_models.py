import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from applications.models import Organisation, OrganisationKind
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["08116019", "081165007000", None])
def test_valid_official_keys(key):
    organisation = OrganisationFactory.build(key=key)
    organisation.full_clean()


@pytest.mark.parametrize("key", ["09162000", "0811601", "081160190", "0811601X", "08116500700"])
def test_invalid_official_keys_are_refused_in_german(key):
    organisation = OrganisationFactory.build(key=key)
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "beginnend mit 08 für Baden-Württemberg" in str(error.value)


def test_database_refuses_a_non_bw_key():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="München", kind=OrganisationKind.STADTKREIS, key="09162000", region="1")


def test_all_applicant_kinds_exist():
    assert {label for _, label in OrganisationKind.choices} == {
        "Gemeinde",
        "Stadt",
        "Große Kreisstadt",
        "Stadtkreis",
        "Landkreis",
        "Gemeindeverwaltungsverband",
        "Vereinbarte Verwaltungsgemeinschaft",
    }


def test_admin_is_served_in_german(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "Anmelden" in response.content.decode()


def test_staff_cannot_add_applications_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/applications/application/add/").status_code == 403
    assert client.get("/admin/applications/application/").status_code == 200
    assert client.get("/admin/applications/membership/").status_code == 200


def test_staff_confirm_membership_through_the_admin_action(client):
    from applications.models import Membership
    from tests.factories import MembershipFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    request = MembershipFactory(status=Membership.Status.REQUESTED)
    client.force_login(staff)
    response = client.post(
        "/admin/applications/membership/",
        {"action": "confirm", "_selected_action": [request.pk]},
        follow=True,
    )
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == Membership.Status.CONFIRMED
    assert request.decided_by == staff
