"""Staff read the reminder log; nobody adds, changes or deletes entries by hand."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from reminders.models import Reminder
from reminders.services import claim_due_reminders, send_reminder
from tests.factories import UserFactory, make_academy_staff

from .conftest import MOMENTS, draft_with_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def log(reminder_round):
    for _ in range(5):
        draft_with_member(reminder_round)
    ids = claim_due_reminders(MOMENTS[7])
    send_reminder(reminder_id=ids[0], now=MOMENTS[7])
    return Reminder.objects.order_by("pk")


def test_changelist_shows_the_log_with_a_fixed_number_of_queries(staff_client, log, django_assert_max_num_queries):
    url = reverse("admin:reminders_reminder_changelist")
    with django_assert_max_num_queries(12):
        response = staff_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert log[0].organisation.name in content
    assert "versandt" in content and "in Arbeit" in content
    assert staff_client.get(url, {"status__exact": "sent"}).context["cl"].result_count == 1


def test_detail_is_read_only(staff_client, log):
    reminder = log[0]
    url = reverse("admin:reminders_reminder_change", args=[reminder.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert escape(reminder.message_id) in response.content.decode()
    assert staff_client.post(url, {"status": "claimed"}).status_code == 403
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT


def test_no_add_and_no_delete(staff_client, log):
    assert staff_client.get(reverse("admin:reminders_reminder_add")).status_code == 403
    assert staff_client.get(reverse("admin:reminders_reminder_delete", args=[log[0].pk])).status_code == 403


def test_applicants_do_not_see_the_log(client, log):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:reminders_reminder_changelist"))
    assert response.status_code == 302


def test_neither_reminder_log_can_be_added_changed_or_deleted_by_the_academy(client, use):
    # A deleted log row would make the reminder a candidate again and break "exactly once".
    use.make_due()
    use.claim(use.due_at)
    row = use.model.objects.get()
    client.force_login(make_academy_staff())
    opts = use.model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    assert client.post(change, {"status": "claimed"}).status_code == 403
    assert use.model.objects.filter(pk=row.pk).exists()
