"""Reports: submitted by the municipality (text + checked attachment), accepted or returned by staff;
reminders before the due date and when overdue, each exactly once."""

from datetime import date, datetime
from smtplib import SMTPException

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from facilitation import reminders, services
from facilitation.models import Report, ReportReminder
from facilitation.tasks import send_report_reminders
from tests.factories import MembershipFactory

from .conftest import BERLIN, make_facilitation, pdf_upload, upload

pytestmark = pytest.mark.django_db


def berlin(year, month, day, hour=8):
    return datetime(year, month, day, hour, tzinfo=BERLIN)


@pytest.fixture
def interim(facilitation):
    return facilitation.reports.get(kind=Report.Kind.INTERIM)  # due 1 July 2021


def test_submit_accept_and_return(academy, facilitation, interim):
    services.submit_report(
        report=interim,
        by=facilitation.member,
        text="Leitbild ist beschlossen.",
        uploaded_file=pdf_upload("bericht.pdf"),
    )
    interim.refresh_from_db()
    assert interim.status == Report.Status.SUBMITTED
    assert interim.original_name == "bericht.pdf" and interim.content_type == "application/pdf"
    with pytest.raises(services.FacilitationError, match="liegt der Akademie bereits vor"):
        services.submit_report(report=interim, by=facilitation.member, text="Nochmal")

    with pytest.raises(services.FacilitationError, match="Bitte schreiben Sie"):
        services.return_report(report=interim, by=academy, comment="  ")
    services.return_report(report=interim, by=academy, comment="Bitte Beteiligung genauer beschreiben.")
    interim.refresh_from_db()
    assert interim.status == Report.Status.RETURNED

    services.submit_report(report=interim, by=facilitation.member, text="Überarbeitet.")
    services.accept_report(report=interim, by=academy)
    interim.refresh_from_db()
    assert interim.status == Report.Status.ACCEPTED
    assert interim.original_name == "bericht.pdf"  # a resubmission without a file keeps the old one
    actions = list(facilitation.events.values_list("action", flat=True))
    assert actions.count("report_submitted") == 2 and "report_returned" in actions and "report_accepted" in actions


def test_only_members_submit_and_only_staff_decide(academy, facilitation, moderator, interim):
    with pytest.raises(services.FacilitationError, match="Nur bestätigte Mitglieder"):
        services.submit_report(report=interim, by=moderator.user, text="Von der Moderation")
    services.submit_report(report=interim, by=facilitation.member, text="Bericht")
    with pytest.raises(services.FacilitationError, match="Akademie"):
        services.accept_report(report=interim, by=moderator.user)
    with pytest.raises(services.FacilitationError, match="Akademie"):
        services.accept_report(report=interim, by=facilitation.member)


def test_a_bad_attachment_is_refused_with_the_upload_check_message(client, facilitation, interim):
    client.force_login(facilitation.member)
    url = reverse("facilitation:report", args=[facilitation.pk, interim.pk])
    response = client.post(url, {"text": "Bericht", "attachment": upload(b"MZ\x90\x00 executable", "bericht.pdf")})
    assert response.status_code == 200
    assert "Der Inhalt der Datei passt nicht zur Dateiendung" in response.content.decode()
    interim.refresh_from_db()
    assert interim.status == Report.Status.OPEN and not interim.file


def test_the_municipality_submits_on_the_page_and_staff_decide_there(client, academy, facilitation, interim):
    client.force_login(facilitation.member)
    url = reverse("facilitation:report", args=[facilitation.pk, interim.pk])
    response = client.post(url, {"text": "Wir haben ein Leitbild.", "attachment": pdf_upload("anlage.pdf")})
    assert response.status_code == 302
    client.force_login(academy)
    page = client.get(url).content.decode()
    assert "Wir haben ein Leitbild." in page and "Bericht annehmen oder zurückgeben" in page
    decide = reverse("facilitation:decide_report", args=[facilitation.pk, interim.pk])
    client.post(decide, {"decision": "return", "comment": "Bitte ergänzen."})
    interim.refresh_from_db()
    assert interim.status == Report.Status.RETURNED and interim.staff_comment == "Bitte ergänzen."


# --- reminders ---------------------------------------------------------------------------------


def test_due_kind_time_rule(facilitation, interim):
    assert reminders.due_kind(interim, date(2021, 6, 16)) is None  # 15 days before
    assert reminders.due_kind(interim, date(2021, 6, 17)) == ReportReminder.Kind.DUE_SOON  # 14 days before
    assert reminders.due_kind(interim, date(2021, 7, 1)) == ReportReminder.Kind.DUE_SOON  # the due date
    assert reminders.due_kind(interim, date(2021, 7, 2)) == ReportReminder.Kind.OVERDUE
    interim.status = Report.Status.SUBMITTED
    assert reminders.due_kind(interim, date(2021, 7, 2)) is None
    interim.status = Report.Status.RETURNED
    assert reminders.due_kind(interim, date(2021, 7, 2)) == ReportReminder.Kind.OVERDUE


def test_reminders_fire_once_per_due_date_even_when_the_task_runs_twice(facilitation, interim, mailoutbox):
    with time_machine.travel(berlin(2021, 6, 20), tick=False):
        send_report_reminders()
        send_report_reminders()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject.startswith("Erinnerung: Zwischenbericht")
    assert sorted(message.to) == sorted([facilitation.member.email, "max@kommune.example"])
    assert "1. Juli 2021" in message.body

    with time_machine.travel(berlin(2021, 7, 2), tick=False):
        send_report_reminders()
        send_report_reminders()
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject.startswith("Überfällig: Zwischenbericht")

    with time_machine.travel(berlin(2021, 7, 20), tick=False):
        send_report_reminders()
    assert len(mailoutbox) == 2
    rows = ReportReminder.objects.filter(report=interim).order_by("kind")
    assert [(r.kind, r.status) for r in rows] == [("due_soon", "sent"), ("overdue", "sent")]
    assert mailoutbox[0].extra_headers["Message-ID"] != mailoutbox[1].extra_headers["Message-ID"]


def test_each_report_gets_its_own_reminder(academy, facilitation, interim, mailoutbox):
    final = facilitation.reports.get(kind=Report.Kind.FINAL)
    with time_machine.travel(berlin(2022, 6, 25), tick=False):  # interim overdue, final due soon
        send_report_reminders()
        send_report_reminders()
    assert len(mailoutbox) == 2
    assert set(ReportReminder.objects.values_list("report_id", "kind")) == {
        (interim.pk, "overdue"),
        (final.pk, "due_soon"),
    }


def test_a_submitted_report_gets_no_reminder(facilitation, interim, mailoutbox):
    services.submit_report(report=interim, by=facilitation.member, text="Fertig.")
    with time_machine.travel(berlin(2021, 7, 5), tick=False):
        send_report_reminders()
    assert mailoutbox == []


def test_a_report_submitted_between_claim_and_send_is_skipped(facilitation, interim, mailoutbox):
    now = berlin(2021, 7, 5)
    claimed = reminders.claim_due_reminders(now=now)
    services.submit_report(report=interim, by=facilitation.member, text="Gerade noch.")
    assert [reminders.send_reminder(reminder_id=pk, now=now) for pk in claimed] == [False]
    assert mailoutbox == []
    assert ReportReminder.objects.get().status == ReportReminder.Status.SKIPPED


class DownBackend(EmailBackend):
    def send_messages(self, messages):
        raise SMTPException("451 try again later")


def test_a_mail_error_keeps_the_claim_and_a_later_run_sends_once(settings, facilitation, interim, mailoutbox):
    settings.EMAIL_BACKEND = f"{DownBackend.__module__}.DownBackend"
    with time_machine.travel(berlin(2021, 7, 5, 8), tick=False):
        assert send_report_reminders() == 1  # claimed (the sweep counts claims), but not sent:
    assert mailoutbox == []
    row = ReportReminder.objects.get()
    assert row.status == ReportReminder.Status.CLAIMED and "SMTPException" in row.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(datetime(2021, 7, 5, 8, 10, tzinfo=BERLIN), tick=False):
        assert send_report_reminders() == 0  # the claim is still fresh: nobody takes it over yet
    with time_machine.travel(berlin(2021, 7, 5, 9), tick=False):
        assert send_report_reminders() == 1  # stale after 30 minutes: taken over and sent
        assert send_report_reminders() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (ReportReminder.Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_the_reminder_log_allows_one_row_per_report_and_kind(interim):
    from django.db import IntegrityError, transaction

    now = berlin(2021, 7, 5)
    first = reminders.claim_due_reminders(now=now)
    assert len(first) == 1
    assert reminders.claim_due_reminders(now=now) == []  # a second sweep claims nothing
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportReminder.objects.create(report=interim, kind="overdue", due_on=interim.due_on, claimed_at=now)


def test_candidates_take_two_queries_not_one_per_report(academy, facilitation, interim, django_assert_num_queries):
    for _ in range(5):
        make_facilitation(by=academy)
    with django_assert_num_queries(2):  # the outstanding reports, then their reminder rows
        due = reminders.candidates(date(2021, 6, 20))
    assert len(due) == 6
    assert {kind for _report, kind in due} == {ReportReminder.Kind.DUE_SOON}


@pytest.mark.parametrize("colleagues", [0, 5])
def test_one_report_reminder_send_takes_a_fixed_number_of_queries(
    facilitation, interim, mailoutbox, django_assert_num_queries, colleagues
):
    for _ in range(colleagues):
        MembershipFactory(organisation=facilitation.application.organisation)
    now = berlin(2021, 6, 20)
    [reminder_id] = reminders.claim_due_reminders(now=now)
    # lock + load, recipients (skip check), recipients, confirm; plus the savepoint pair;
    # the delivery log: its savepoint pair, insert, lock, update (one each, whatever the number of recipients)
    with django_assert_num_queries(11):
        assert reminders.send_reminder(reminder_id=reminder_id, now=now) is True
    assert len(mailoutbox[0].to) == 2 + colleagues
