"""Every decision that can reach an applicant goes through a confirmation page: the bulk actions
(award, reject, waitlist, promote), the decision form on the change page, the ranking row's
"Bewilligen" button and the release of proposals. A POST without the page's valid token does
nothing: no Decision row, no status change, no e-mail. Before the deadline the admin shows why
the buttons are missing, and the bulk actions and the ranking row are refused."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ensure_roles
from applications.models import Application
from foerderportal.formatting import format_deadline
from reviews.models import Decision
from reviews.services import propose_decision
from tests.conftest import confirmation_fields, post_confirmed, submitted_application
from tests.factories import FundingRoundFactory, make_academy_staff
from tests.twofactor import pass_second_factor

pytestmark = pytest.mark.django_db

APPLICATIONS = "/admin/applications/application/"
DECISIONS = "/admin/reviews/decision/"


@pytest.fixture(autouse=True)
def roles(db):
    ensure_roles()


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def decide_url(application):
    return reverse("admin:applications_application_decide", args=[application.pk])


def ranking_award_url(application):
    return reverse("admin:applications_fundinground_award", args=[application.funding_round_id, application.pk])


def _nothing_happened(application, mailoutbox):
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    assert not Decision.objects.filter(application=application).exists()
    assert mailoutbox == []


BULK = {
    "award": {},
    "waitlist": {},
    "reject": {"apply": "1", "reasons": "Kein Beschluss des Gemeinderats."},
}


@pytest.mark.parametrize("action", BULK)
def test_a_bulk_decision_shows_the_confirmation_page_and_does_nothing_yet(
    client, academy, application, action, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(academy)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(APPLICATIONS, {"action": action, "_selected_action": [application.pk], **BULK[action]})
    assert page.status_code == 200
    text = page.content.decode()
    # What will happen, to whom, which letter and e-mail, and that a released Bescheid is final.
    assert application.reference_number in text and "Esslingen am Neckar" in text
    assert application.member.email in text
    assert "Bescheid" in text or "Mitteilung" in text
    assert "kann nicht geändert oder zurückgenommen werden" in text
    assert "nur durch einen neuen Bescheid korrigieren" in text
    _nothing_happened(application, mailoutbox)

    # Confirmed: now it happens, with the letter's e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(APPLICATIONS, confirmation_fields(page), follow=True)
    application.refresh_from_db()
    assert Decision.objects.get(application=application).status == Decision.Status.RELEASED
    assert application.status != Application.Status.IN_REVIEW
    assert len(mailoutbox) == 1


def test_the_award_page_names_the_letter_the_amount_and_the_recipients(client, academy, application):
    client.force_login(academy)
    text = client.post(APPLICATIONS, {"action": "award", "_selected_action": [application.pk]}).content.decode()
    assert "Bescheid – Aufnahme in die Prozessbegleitung" in text
    assert "40.000,00" in text
    assert application.member.email in text


@pytest.mark.parametrize(
    "forged",
    [
        {},  # no token at all
        {"confirmation": "nonsense"},
        {"confirmation": ""},
    ],
)
def test_a_bulk_post_without_a_valid_token_does_nothing(client, academy, application, forged, mailoutbox):
    client.force_login(academy)
    client.post(APPLICATIONS, {"action": "award", "_selected_action": [application.pk], **forged})
    _nothing_happened(application, mailoutbox)


def test_a_token_is_bound_to_the_selection_the_action_the_reasons_and_the_user(
    client, academy, two_place_round, application, mailoutbox
):
    other = submitted_application(two_place_round, by=academy)
    client.force_login(academy)
    page = client.post(
        APPLICATIONS, {"action": "reject", "_selected_action": [application.pk], "apply": "1", "reasons": "Grund A."}
    )
    fields = confirmation_fields(page)
    # Another selection, another action, other reasons: refused (the page is shown again).
    for changed in (
        {**fields, "_selected_action": [other.pk]},
        {**fields, "_selected_action": [application.pk, other.pk]},
        {**fields, "action": "waitlist"},
        {**fields, "reasons": "Grund B."},
    ):
        response = client.post(APPLICATIONS, changed)
        assert response.status_code == 200
        assert 'name="confirmation"' in response.content.decode()
    # Another academy account cannot use this person's token.
    client.force_login(make_academy_staff())
    client.post(APPLICATIONS, fields)
    _nothing_happened(application, mailoutbox)
    _nothing_happened(other, mailoutbox)


def test_a_token_expires(client, academy, application, mailoutbox):
    client.force_login(academy)
    page = client.post(APPLICATIONS, {"action": "award", "_selected_action": [application.pk]})
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        pass_second_factor(client, academy)  # re-authenticated just now: only the token is old
        response = client.post(APPLICATIONS, confirmation_fields(page), follow=True)
    assert any("abgelaufen" in t for t in texts(response))
    _nothing_happened(application, mailoutbox)


def test_promotion_from_the_waiting_list_is_confirmed(client, academy, application, mailoutbox):
    Application.objects.filter(pk=application.pk).update(status=Application.Status.WAITLISTED)
    client.force_login(academy)
    page = client.post(APPLICATIONS, {"action": "promote", "_selected_action": [application.pk]})
    assert "Bescheid – Aufnahme in die Prozessbegleitung" in page.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.WAITLISTED
    client.post(APPLICATIONS, confirmation_fields(page))
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED


def test_the_decision_form_needs_the_confirmation(client, academy, application, mailoutbox):
    client.force_login(academy)
    page = client.post(decide_url(application), {"kind": "award", "amount": "30000,00"})
    assert page.status_code == 200
    assert "30.000,00" in page.content.decode()
    _nothing_happened(application, mailoutbox)
    # The token binds the amount: a changed amount is not confirmed.
    fields = confirmation_fields(page)
    client.post(decide_url(application), {**fields, "amount": "40000,00"})
    _nothing_happened(application, mailoutbox)
    client.post(decide_url(application), fields)
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED
    assert str(application.awarded_amount) == "30000.00"


def test_the_ranking_button_needs_the_confirmation(client, academy, application, mailoutbox):
    client.force_login(academy)
    url = ranking_award_url(application)
    page = client.post(url)
    assert page.status_code == 200
    assert application.reference_number in page.content.decode()
    client.post(url, {"confirmation": "forged"})
    _nothing_happened(application, mailoutbox)
    assert post_confirmed(client, url).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED


def test_releasing_a_proposal_needs_the_confirmation(client, academy, two_place_round, application, mailoutbox):
    two_place_round.four_eyes = True
    two_place_round.save()
    proposal = propose_decision(application=application, kind=Decision.Kind.AWARD, by=academy)
    colleague = make_academy_staff()
    client.force_login(colleague)
    page = client.post(DECISIONS, {"action": "release", "_selected_action": [proposal.pk]})
    text = page.content.decode()
    assert "Bescheid – Aufnahme in die Prozessbegleitung" in text
    assert "kann nicht geändert oder zurückgenommen werden" in text
    proposal.refresh_from_db()
    assert proposal.status == Decision.Status.PROPOSED
    assert mailoutbox == []
    client.post(DECISIONS, confirmation_fields(page))
    proposal.refresh_from_db()
    assert proposal.status == Decision.Status.RELEASED


def test_proposing_under_four_eyes_says_nothing_reaches_the_applicant_yet(
    client, academy, two_place_round, application
):
    two_place_round.four_eyes = True
    two_place_round.save()
    client.force_login(academy)
    text = client.post(APPLICATIONS, {"action": "award", "_selected_action": [application.pk]}).content.decode()
    assert "wird nur vorgeschlagen" in text
    assert "kann nicht geändert oder zurückgenommen werden" not in text


# --- before the deadline -----------------------------------------------------------------------


@pytest.fixture
def open_round_application(academy):
    """An application in a round whose deadline is 30 days ahead, set to "in review" directly."""
    application = submitted_application(FundingRoundFactory(), in_review=False)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.IN_REVIEW)
    application.refresh_from_db()
    return application


def test_bulk_award_before_the_deadline_is_refused_per_application(
    client, academy, application, open_round_application, mailoutbox
):
    client.force_login(academy)
    response = post_confirmed(
        client,
        APPLICATIONS,
        {"action": "award", "_selected_action": [application.pk, open_round_application.pk]},
        follow=True,
    )
    deadline = format_deadline(open_round_application.funding_round.deadline)
    assert any(
        t.startswith(str(open_round_application)) and "erst nach Ablauf der Antragsfrist" in t and deadline in t
        for t in texts(response)
    )
    _nothing_happened(open_round_application, [])
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED  # the closed round's application goes ahead


def test_the_ranking_row_before_the_deadline(client, academy, open_round_application, mailoutbox):
    client.force_login(academy)
    funding_round = open_round_application.funding_round
    page = client.get(reverse("admin:applications_fundinground_ranking", args=[funding_round.pk])).content.decode()
    assert 'id="decisions-closed"' in page and format_deadline(funding_round.deadline) in page
    assert ranking_award_url(open_round_application) not in page
    # Posted by hand and confirmed: the service refuses.
    response = post_confirmed(client, ranking_award_url(open_round_application), follow=True)
    assert any("erst nach Ablauf der Antragsfrist" in t for t in texts(response))
    _nothing_happened(open_round_application, mailoutbox)


def test_the_change_page_says_why_the_decision_buttons_are_missing(client, academy, open_round_application):
    client.force_login(academy)
    url = reverse("admin:applications_application_change", args=[open_round_application.pk])
    page = client.get(url).content.decode()
    assert 'id="decisions-closed"' in page
    assert format_deadline(open_round_application.funding_round.deadline) in page
    assert 'value="award"' not in page


def test_at_the_deadline_second_the_bulk_action_is_refused_and_one_second_later_allowed(client, academy, mailoutbox):
    funding_round = FundingRoundFactory()
    application = submitted_application(funding_round, in_review=False)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.IN_REVIEW)
    data = {"action": "award", "_selected_action": [application.pk]}
    with time_machine.travel(funding_round.deadline, tick=False):
        client.force_login(academy)
        response = post_confirmed(client, APPLICATIONS, data, follow=True)
    assert any("erst nach Ablauf der Antragsfrist" in t for t in texts(response))
    _nothing_happened(application, mailoutbox)
    with time_machine.travel(funding_round.deadline + timedelta(seconds=1), tick=False):
        client.force_login(academy)
        post_confirmed(client, APPLICATIONS, data, follow=True)
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED


def test_a_rejection_without_reasons_is_refused_before_the_confirmation_page(client, academy, two_place_round):
    application = submitted_application(two_place_round, by=academy)
    client.force_login(academy)
    url = reverse("admin:applications_application_decide", args=[application.pk])
    response = client.post(url, {"kind": "reject", "reasons": ""}, follow=True)
    page = response.content.decode()
    assert "Verbindlich bestätigen" not in page
    assert "Bitte begründen Sie die Ablehnung" in page  # the reason, shown on the change page
    assert not Decision.objects.filter(application=application).exists()


def test_a_confirmed_page_cannot_be_posted_again(client, academy, two_place_round, application, mailoutbox):
    # Under four eyes: propose through the confirmation page, discard the proposal, re-post the same page.
    two_place_round.four_eyes = True
    two_place_round.save()
    client.force_login(academy)
    url = reverse("admin:applications_application_decide", args=[application.pk])
    page = client.post(url, {"kind": "award", "amount": "30000"})
    fields = confirmation_fields(page)
    client.post(url, fields)
    proposal = Decision.objects.get(application=application)
    assert proposal.status == Decision.Status.PROPOSED
    proposal.status = Decision.Status.CANCELLED
    proposal.save()

    again = client.post(url, fields)
    assert again.status_code == 200 and 'name="confirmation"' in again.content.decode()  # asked again
    assert not Decision.objects.filter(application=application, status=Decision.Status.PROPOSED).exists()
