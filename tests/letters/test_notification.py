"""Notification of a Bescheid (§ 41 Abs. 2a LVwVfG BW): postal dispatch without consent, the download
log, the notification date, the 10-day fallback, the record of another way, the staff overview."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import give_notification_consent
from applications.models import Membership
from letters import selectors, services
from letters.models import Letter, LetterDownload
from letters.notification import State
from reviews.services import award_application
from tests.conftest import submitted_application
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

BERLIN = datetime.timezone(datetime.timedelta(hours=1))  # March dates below: CET
EMAILED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN)


def berlin(day, hour=12, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def consented(application):
    give_notification_consent(user=application.member)
    return application


@pytest.fixture
def letter(consented, award):
    letter = services.issue_decision_letter(decision_id=award.pk, now=berlin(2, 9, 0))
    Letter.objects.filter(pk=letter.pk).update(notified_at=EMAILED)
    letter.refresh_from_db()
    return letter


def download(client, user, letter, when):
    client.force_login(user)
    with time_machine.travel(when, tick=False):
        response = client.get(reverse("letters:download", args=[letter.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    return response


# --- consent decides electronic notification or post -------------------------------------


def test_without_consent_the_letter_is_marked_for_postal_dispatch(application, award, academy):
    letter = services.issue_decision_letter(decision_id=award.pk)
    assert letter.postal_dispatch
    assert letter.notification().state == State.POSTAL
    assert list(selectors.needing_other_way(datetime.date.today())) == [letter]


def test_with_a_consenting_member_the_letter_is_provided_for_download(consented, award):
    letter = services.issue_decision_letter(decision_id=award.pk)
    assert not letter.postal_dispatch
    assert letter.notification().state == State.AWAITING_EMAIL


@pytest.mark.parametrize("status", [Membership.Status.REQUESTED, Membership.Status.REJECTED])
def test_consent_of_an_unconfirmed_member_does_not_count(application, award, status):
    outsider = MembershipFactory(organisation=application.organisation, status=status).user
    give_notification_consent(user=outsider)
    assert services.issue_decision_letter(decision_id=award.pk).postal_dispatch


def test_consent_of_an_inactive_member_does_not_count(application, award):
    give_notification_consent(user=application.member)
    type(application.member).objects.filter(pk=application.member.pk).update(is_active=False)
    assert services.issue_decision_letter(decision_id=award.pk).postal_dispatch


def test_a_released_letters_postal_mark_cannot_change(application, award):
    letter = services.issue_decision_letter(decision_id=award.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(postal_dispatch=False)


# --- download log and notification date ---------------------------------------------------


def test_every_download_is_logged_and_the_first_notifies(client, letter, consented):
    member = consented.member
    download(client, member, letter, berlin(3, 23, 30))
    download(client, member, letter, berlin(5, 9, 0))
    rows = list(LetterDownload.objects.filter(letter=letter))
    assert [(r.user, r.user_email, r.sha256, r.notifies) for r in rows] == [
        (member, member.email, letter.sha256, True),
        (member, member.email, letter.sha256, True),
    ]
    assert rows[0].downloaded_at == berlin(3, 23, 30)
    note = (
        selectors.with_notification(Letter.objects.filter(pk=letter.pk)).get().notification(datetime.date(2026, 3, 6))
    )
    # The day after the first download; the second download changes nothing.
    assert note.state == State.DOWNLOADED and note.notified_on == datetime.date(2026, 3, 4)
    assert note.remedy_period_ends_on == datetime.date(2026, 4, 7)  # 4 April is a Saturday, then Easter


def test_a_staff_download_is_logged_but_does_not_notify(client, letter, academy):
    client.force_login(academy)
    with time_machine.travel(berlin(3), tick=False):
        response = client.get(reverse("admin:letters_letter_pdf", args=[letter.pk]))
    assert response.status_code == 200
    row = LetterDownload.objects.get(letter=letter)
    assert row.user == academy and not row.notifies
    assert letter.notification(datetime.date(2026, 3, 4)).state == State.PROVIDED


def test_a_member_of_a_postal_letter_does_not_notify_by_download(client, application, award):
    letter = services.issue_decision_letter(decision_id=award.pk)
    download(client, application.member, letter, berlin(3))
    assert not LetterDownload.objects.get(letter=letter).notifies
    assert letter.notification().state == State.POSTAL


def test_another_organisations_letter_is_404_and_no_download_is_logged(client, letter):
    stranger = MembershipFactory().user
    client.force_login(stranger)
    assert client.get(reverse("letters:download", args=[letter.pk])).status_code == 404
    assert not LetterDownload.objects.exists()


# --- the 10-day fallback -----------------------------------------------------------------


def test_day_ten_after_the_email_is_still_provided_then_the_fallback(letter):
    assert letter.notification(datetime.date(2026, 3, 12)).state == State.PROVIDED
    assert letter not in selectors.needing_other_way(datetime.date(2026, 3, 12))
    fallback = letter.notification(datetime.date(2026, 3, 13))
    assert fallback.state == State.FALLBACK and fallback.needs_other_way
    assert list(selectors.needing_other_way(datetime.date(2026, 3, 13))) == [letter]


def test_a_download_on_day_ten_notifies_a_later_one_does_not(client, letter, consented):
    download(client, consented.member, letter, berlin(12, 23, 50))
    assert letter.notification(datetime.date(2026, 3, 20)).notified_on == datetime.date(2026, 3, 13)

    LetterDownload.objects.all().delete()
    download(client, consented.member, letter, berlin(13, 0, 10))
    assert not LetterDownload.objects.get().notifies
    assert letter.notification(datetime.date(2026, 3, 20)).state == State.FALLBACK


def test_staff_record_the_other_notification(client, letter, academy):
    with time_machine.travel(berlin(12), tick=False):
        with pytest.raises(services.LetterError, match="noch zum Abruf bereitgestellt"):
            services.record_other_notification(
                letter=letter, by=academy, notified_on=datetime.date(2026, 3, 12), way="post"
            )
    client.force_login(academy)
    url = reverse("admin:letters_letter_other_notification", args=[letter.pk])
    with time_machine.travel(berlin(13), tick=False):
        assert "PDF zum Drucken" in client.get(url).content.decode()
        response = client.post(url, {"notified_on": "2026-03-17", "way": "post"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.other_notified_on, letter.other_notification_way, letter.other_notification_by) == (
        datetime.date(2026, 3, 17),
        "post",
        academy,
    )
    note = letter.notification(datetime.date(2026, 3, 20))
    assert note.state == State.OTHER_WAY and note.remedy_period_ends_on == datetime.date(2026, 4, 17)
    assert letter.application.events.filter(action="letter_notified_otherwise").exists()
    assert letter not in selectors.needing_other_way(datetime.date(2026, 3, 20))
    with pytest.raises(services.LetterError, match="bereits erfasst"):
        services.record_other_notification(
            letter=letter, by=academy, notified_on=datetime.date(2026, 3, 18), way="post"
        )


def test_other_notification_is_refused_after_a_download_and_for_applicants(client, letter, consented, academy):
    with pytest.raises(services.LetterError):
        services.record_other_notification(
            letter=letter, by=consented.member, notified_on=datetime.date(2026, 3, 17), way="post"
        )
    download(client, consented.member, letter, berlin(3))
    with time_machine.travel(berlin(20), tick=False), pytest.raises(services.LetterError, match="durch Abruf"):
        services.record_other_notification(
            letter=letter, by=academy, notified_on=datetime.date(2026, 3, 17), way="post"
        )


# --- staff overview and applicant dashboard ----------------------------------------------


def _overview(client, funding_round):
    return client.get(reverse("admin:letters_notification_overview", args=[funding_round.pk]))


def test_overview_shows_every_column_in_a_fixed_number_of_queries(
    client, letter, consented, academy, two_place_round, django_assert_num_queries
):
    download(client, consented.member, letter, berlin(3, 9, 15))
    client.force_login(academy)
    with CaptureQueriesContext(transaction.get_connection()) as one_letter:
        page = _overview(client, two_place_round).content.decode()
    for text in ["Esslingen am Neckar", "02.03.2026 10:00", "03.03.2026 09:15", "04.03.2026", "07.04.2026"]:
        assert text in page
    assert reverse("admin:letters_letter_pdf", args=[letter.pk]) in page

    two_place_round.places = 5
    two_place_round.budget = two_place_round.max_per_package * 5
    two_place_round.save()
    for _ in range(3):
        other = submitted_application(two_place_round, by=academy)
        services.issue_decision_letter(decision_id=award_application(application=other, by=academy).pk)
    with django_assert_num_queries(len(one_letter.captured_queries)):
        page = _overview(client, two_place_round).content.decode()
    assert page.count("per Post bekanntgeben") == 3


def test_overview_is_for_academy_staff_only(client, letter, consented, two_place_round):
    client.force_login(consented.member)
    assert _overview(client, two_place_round).status_code == 302  # to the admin login


def test_dashboard_shows_the_notification_state_in_plain_german(client, letter, consented):
    download(client, consented.member, letter, berlin(3, 9, 15))
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "abgerufen am 3. März 2026, bekannt gegeben am 4. März 2026" in page


def test_dashboard_says_a_postal_letter_comes_by_post(client, application, award):
    services.issue_decision_letter(decision_id=award.pk)
    client.force_login(application.member)
    assert "wird per Post bekannt gegeben" in client.get(reverse("applications:dashboard")).content.decode()
