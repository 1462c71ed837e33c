"""The thread is scoped to the municipality's confirmed members and the academy; one e-mail per
message per recipient, exactly once; the request reminder goes out once before the due date."""

from datetime import datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from correspondence import notifications, reminders, services
from correspondence.models import MessageNotification, RequestReminder
from correspondence.tasks import notify_message, send_request_reminders
from tests.conftest import make_pdf
from tests.factories import MembershipFactory, make_reviewer

from .conftest import ask


@pytest.fixture
def thread(submitted, academy):
    upload = SimpleUploadedFile("frage.pdf", make_pdf(), content_type="application/pdf")
    message = services.post_message(application=submitted, author=submitted.member, text="Frage", uploaded_file=upload)
    return submitted, message


def _urls(application, message):
    return [
        reverse("correspondence:requests", args=[application.pk]),
        reverse("correspondence:messages", args=[application.pk]),
        reverse("correspondence:download", args=[application.pk, message.pk]),
    ]


def test_member_reads_the_thread_and_downloads_the_attachment(client, thread):
    application, message = thread
    client.force_login(application.member)
    for url in _urls(application, message):
        assert client.get(url).status_code == 200
    response = client.get(reverse("correspondence:download", args=[application.pk, message.pk]))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["other_organisation", "unconfirmed", "reviewer", "moderator", "academy"])
def test_everyone_else_gets_404(client, thread, who):
    from tests.facilitation.conftest import make_moderator

    application, message = thread
    users = {
        "other_organisation": lambda: MembershipFactory().user,
        "unconfirmed": lambda: MembershipFactory(organisation=application.organisation, status="requested").user,
        "reviewer": make_reviewer,
        "moderator": lambda: make_moderator().user,
        "academy": lambda: __import__("tests.factories", fromlist=["x"]).make_academy_staff(),
    }
    client.force_login(users[who]())
    for url in _urls(application, message):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("correspondence:messages", args=[application.pk]), {"text": "fremd"})
    assert response.status_code == 404
    assert application.messages.count() == 1


def test_a_message_is_in_the_audit_trail(thread):
    application, message = thread
    event = application.events.get(action="message_sent")
    assert event.data["sha256"] == message.sha256 and event.data["name"] == "frage.pdf"


def test_a_dangerous_attachment_is_refused(submitted):
    from django.core.exceptions import ValidationError

    upload = SimpleUploadedFile("x.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.post_message(application=submitted, author=submitted.member, text="x", uploaded_file=upload)
    assert not submitted.messages.exists()


def test_one_email_per_message_per_recipient_even_when_the_task_runs_twice(
    submitted, academy, mailoutbox, django_capture_on_commit_callbacks
):
    MembershipFactory(organisation=submitted.organisation, user__email="kollegin@kommune.example")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.post_message(application=submitted, author=academy, text="Bitte melden Sie sich.")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([submitted.member.email, "kollegin@kommune.example"])
    notify_message(message.pk)
    notifications.notify_message(message_id=message.pk)
    assert len(mailoutbox) == 2
    assert MessageNotification.objects.filter(message=message, sent_at__isnull=False).count() == 2
    assert all("Nachricht der Akademie" in m.subject for m in mailoutbox)


def test_the_academy_hears_of_an_applicant_message(submitted, academy, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(application=submitted, author=submitted.member, text="Eine Frage.")
    assert [m.to for m in mailoutbox] == [[academy.email]]


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_the_reminder_before_the_due_date_is_sent_once(submitted, academy, mailoutbox, time_machine):
    request = ask(submitted, academy, due_in=10)
    due_on = request.due_on
    assert reminders.claim_due_reminders(now=_at(due_on - timedelta(days=4))) == []
    time_machine.move_to(_at(due_on - timedelta(days=3)))
    send_request_reminders()
    send_request_reminders()
    time_machine.move_to(_at(due_on - timedelta(days=1)))
    send_request_reminders()
    reminder_mails = [m for m in mailoutbox if "Erinnerung" in m.subject]
    assert len(reminder_mails) == 1 and reminder_mails[0].to == [submitted.member.email]
    assert RequestReminder.objects.get().status == RequestReminder.Status.SENT


def test_no_reminder_once_answered_or_overdue(submitted, academy):
    request = ask(submitted, academy, due_in=5, sections=[], attachment_kinds=[])
    assert reminders.skip_reason(request, request.due_on + timedelta(days=1)) == reminders.SkipReason.NOT_DUE
    services.answer_information_request(information_request=request, user=submitted.member)
    request.refresh_from_db()
    assert reminders.skip_reason(request, request.due_on) == reminders.SkipReason.ANSWERED


def test_staff_see_overdue_requests(submitted, academy, client, time_machine):
    request = ask(submitted, academy, due_in=2)
    client.force_login(academy)
    url = reverse("admin:correspondence_informationrequest_changelist") + "?frist=overdue"
    assert submitted.reference_number not in client.get(url).content.decode()
    time_machine.move_to(_at(request.due_on + timedelta(days=1)))
    page = client.get(url).content.decode()
    assert submitted.reference_number in page and "überfällig" in page


def test_staff_send_a_request_through_the_admin(submitted, academy, client):
    client.force_login(academy)
    url = reverse("admin:correspondence_informationrequest_add") + f"?application={submitted.pk}"
    assert client.get(url).status_code == 200
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        url,
        {"application": submitted.pk, "text": "Beschluss fehlt.", "due_on": due, "attachment_kinds": ["resolution"]},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "info_requested" and submitted.reopened_attachment_kinds == ["resolution"]


def test_reviewers_see_no_correspondence_in_the_admin(thread, client):
    client.force_login(make_reviewer())
    assert client.get(reverse("admin:correspondence_message_changelist")).status_code == 403


def test_a_message_has_a_length_limit(client, submitted):
    client.force_login(submitted.member)
    url = reverse("correspondence:messages", args=[submitted.pk])
    response = client.post(url, {"text": "x" * 10_001})
    assert response.status_code == 200  # the form again, with the error; nothing stored
    assert "höchstens 10000 Zeichen besteht" in response.content.decode()
    assert not submitted.messages.exists()
