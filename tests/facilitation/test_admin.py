"""The admin goes through the services: facilitators join the moderator group, assignments are checked."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import MODERATOR_GROUP
from facilitation.models import Facilitator
from tests.factories import UserFactory

from .conftest import make_moderator

pytestmark = pytest.mark.django_db


def test_adding_a_facilitator_puts_the_person_into_the_moderator_group(client, academy):
    person = UserFactory()
    client.force_login(academy)
    response = client.post(
        reverse("admin:facilitation_facilitator_add"),
        {"user": person.pk, "region": "2", "phone": "0721 1", "daily_rate": "950.00", "active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    facilitator = Facilitator.objects.get(user=person)
    assert facilitator.daily_rate == Decimal("950.00")
    assert person.groups.filter(name=MODERATOR_GROUP).exists()


def _change(client, facilitation, facilitators, **extra):
    data = {
        "facilitators": [f.pk for f in facilitators],
        "starts_on": facilitation.starts_on.isoformat(),
        "lead_name": facilitation.lead_name,
        "lead_function": "",
        "lead_email": facilitation.lead_email,
        "lead_phone": "",
        **extra,
    }
    for prefix in ("milestones", "sessions", "reports", "events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return client.post(reverse("admin:facilitation_facilitation_change", args=[facilitation.pk]), data)


def test_staff_assign_and_reschedule_in_the_admin_through_the_services(client, academy, facilitation, moderator):
    colleague = make_moderator(staff_user=academy)
    client.force_login(academy)
    response = _change(client, facilitation, [moderator, colleague], starts_on="2020-09-01")
    assert response.status_code == 302
    facilitation.refresh_from_db()
    assert set(facilitation.facilitators.all()) == {moderator, colleague}
    assert facilitation.ends_on.isoformat() == "2022-09-01"
    assert {"facilitators_assigned", "rescheduled"} <= set(facilitation.events.values_list("action", flat=True))

    three = _change(client, facilitation, [moderator, colleague, make_moderator(staff_user=academy)])
    assert three.status_code == 200
    assert "eine oder zwei" in three.content.decode()
    assert facilitation.facilitators.count() == 2
