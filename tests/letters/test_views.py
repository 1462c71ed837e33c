"""Download permissions (one table of roles), the dashboard's document list, the admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Membership
from letters import services
from letters.models import Letter
from reviews.services import award_application
from tests.conftest import submitted_application
from tests.factories import MembershipFactory, UserFactory, make_reviewer

from .conftest import letter_bytes

pytestmark = pytest.mark.django_db


def _own_member(application):
    return application.member


def _other_organisation_member(application):
    return MembershipFactory().user


def _unconfirmed_member(application):
    return MembershipFactory(organisation=application.organisation, status=Membership.Status.REQUESTED).user


def _anonymous(application):
    return None


# The letter URLs' permission table: (url name, kwargs built from a letter); every row runs for every role.
LETTER_URLS = [
    ("letters:download", lambda letter: {"pk": letter.pk}),
]


@pytest.mark.parametrize(
    ("role", "expected"),
    [(_own_member, 200), (_other_organisation_member, 404), (_unconfirmed_member, 404), (_anonymous, 302)],
)
@pytest.mark.parametrize("kind", ["receipt", "award"])
@pytest.mark.parametrize(("name", "kwargs"), LETTER_URLS, ids=[name for name, _ in LETTER_URLS])
def test_download_permission_matrix(client, application, award, role, expected, kind, name, kwargs):
    if kind == "receipt":
        letter = services.issue_receipt(application_id=application.pk)
    else:
        letter = services.issue_decision_letter(decision_id=award.pk)
    user = role(application)
    if user:
        client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs(letter)))
    assert response.status_code == expected
    if expected == 200:
        body = b"".join(response.streaming_content)
        assert body == letter_bytes(letter) and body.startswith(b"%PDF-")
        assert response["Content-Type"] == "application/pdf"
        name = "Bescheid" if kind == "award" else "Eingangsbestaetigung"
        assert response["Content-Disposition"] == f'attachment; filename="{name}-{application.reference_number}.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    elif expected == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


def test_draft_letters_are_not_downloadable(client, application, award, academy):
    old = services.issue_decision_letter(decision_id=award.pk)
    draft = services.issue_correction(letter=old, by=academy, release=False)
    client.force_login(application.member)
    assert client.get(reverse("letters:download", args=[draft.pk])).status_code == 404
    assert client.get(reverse("letters:download", args=[old.pk])).status_code == 200


def test_dashboard_lists_released_letters(client, application, award):
    receipt = services.issue_receipt(application_id=application.pk)
    letter = services.issue_decision_letter(decision_id=award.pk)
    client.force_login(application.member)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert reverse("letters:download", args=[receipt.pk]) in page
    assert reverse("letters:download", args=[letter.pk]) in page
    assert "Bescheid – Aufnahme in die Prozessbegleitung (PDF)" in page


def test_the_released_letters_query_compiled_once_shows_each_visitor_only_their_letters(client, application):
    """The query is compiled once per process (letters.receivers, foerderportal.prepared): each visit
    runs it with its own user, so one organisation's letters never leak into the next visitor's."""
    ours = reverse("letters:download", args=[services.issue_receipt(application_id=application.pk).pk])
    other = submitted_application(application.funding_round, in_review=False)
    theirs = reverse("letters:download", args=[services.issue_receipt(application_id=other.pk).pk])
    for user, shown, hidden in (
        (application.member, ours, theirs),
        (other.member, theirs, ours),
        (application.member, ours, theirs),
        (MembershipFactory().user, None, ours),
    ):
        client.force_login(user)
        dashboard = client.get(reverse("applications:dashboard")).content.decode()
        assert hidden not in dashboard and (shown is None or shown in dashboard)
        receipt = client.get(reverse("applications:receipt", args=[application.pk]))
        if user == application.member:
            assert receipt.status_code == 200 and ours in receipt.content.decode()
        else:
            assert receipt.status_code == 404


def test_a_member_of_two_organisations_sees_each_applications_letters_under_it(client, application):
    """Several applications on the dashboard: the letters of all of them in one query, each under its own."""
    other = submitted_application(application.funding_round, in_review=False)
    Membership.objects.create(
        user=application.member, organisation=other.organisation, status=Membership.Status.CONFIRMED
    )
    ours = services.issue_receipt(application_id=application.pk)
    theirs = services.issue_receipt(application_id=other.pk)
    client.force_login(application.member)
    page = client.get(reverse("applications:dashboard")).content.decode()
    rows = {a.pk: page.index(f'href="{reverse("applications:overview", args=[a.pk])}"') for a in (application, other)}
    first, second = sorted(rows, key=rows.get)
    letter_of = {application.pk: ours, other.pk: theirs}
    split = rows[second]
    assert page.index(reverse("letters:download", args=[letter_of[first].pk])) < split
    assert page.index(reverse("letters:download", args=[letter_of[second].pk])) > split


def test_the_dashboard_reads_letters_and_their_state_without_a_query_per_document(client, application, award):
    """The table's applications are loaded with only the fields it shows: nothing is read later per row."""
    client.force_login(application.member)
    url = reverse("applications:dashboard")
    client.get(url)  # the navigation's answer is cached from here on
    with CaptureQueriesContext(connection) as without_letters:
        client.get(url)
    services.issue_receipt(application_id=application.pk)
    services.issue_decision_letter(decision_id=award.pk)
    with CaptureQueriesContext(connection) as with_letters:
        page = client.get(url).content.decode()
    assert "Bescheid – Aufnahme in die Prozessbegleitung (PDF)" in page
    assert len(with_letters) == len(without_letters)


def test_admin_lists_letters_and_downloads_for_academy_only(client, application, award, academy):
    letter = services.issue_decision_letter(decision_id=award.pk)
    pdf_url = reverse("admin:letters_letter_pdf", args=[letter.pk])
    client.force_login(academy)
    changelist = client.get(reverse("admin:letters_letter_changelist"))
    assert changelist.status_code == 200 and letter.sha256[:12] in changelist.content.decode()
    assert client.get(reverse("admin:letters_letter_change", args=[letter.pk])).status_code == 200
    response = client.get(pdf_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == letter_bytes(letter)
    client.force_login(make_reviewer())
    assert client.get(pdf_url).status_code == 403
    client.force_login(application.member)
    assert client.get(pdf_url).status_code == 302  # to the admin login


def test_admin_preview_of_a_proposed_decision(client, application, two_place_round, academy):
    two_place_round.four_eyes = True
    two_place_round.save()
    decision = award_application(application=application, by=academy)
    url = reverse("admin:letters_preview_decision", args=[decision.pk])
    client.force_login(academy)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    assert not Letter.objects.exists()
    client.force_login(make_reviewer())
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302


def test_dashboard_lists_the_receipt_once_with_its_pdf(client, application, award):
    receipt = services.issue_receipt(application_id=application.pk)
    client.force_login(application.member)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert page.count(reverse("letters:download", args=[receipt.pk])) == 1
    assert page.count(reverse("applications:receipt", args=[application.pk])) == 1
    assert "Eingangsbestätigung (PDF)" not in page  # no second entry for the same document
    assert 'aria-label="Eingangsbestätigung als PDF"' in page


def test_receipt_page_links_its_pdf_once_released(client, application):
    client.force_login(application.member)
    url = reverse("applications:receipt", args=[application.pk])
    assert "als PDF herunterladen" not in client.get(url).content.decode()
    receipt = services.issue_receipt(application_id=application.pk)
    page = client.get(url).content.decode()
    assert f'<a href="{reverse("letters:download", args=[receipt.pk])}">' in page
    assert "Eingangsbestätigung als PDF herunterladen" in page


def test_the_receipt_page_reads_its_letters_without_a_query_per_document(client, application, award, academy):
    """The letters come with only the fields the page shows, so nothing deferred is read per letter
    (the application's own fields: tests/applications/test_query_counts.py); the submitter comes
    without the password hash."""
    client.force_login(application.member)
    url = reverse("applications:receipt", args=[application.pk])
    client.get(url)  # the navigation's answer is cached from here on
    with CaptureQueriesContext(connection) as without_letters:
        client.get(url)
    receipt = services.issue_receipt(application_id=application.pk)
    decision_letter = services.issue_decision_letter(decision_id=award.pk)
    services.issue_correction(letter=decision_letter, by=academy, note="Anschrift berichtigt")
    with CaptureQueriesContext(connection) as with_letters:
        page = client.get(url).content.decode()
    assert page.count("Eingangsbestätigung als PDF herunterladen") == 1
    assert reverse("letters:download", args=[receipt.pk]) in page
    assert application.organisation.name in page and application.reference_number in page
    assert str(application.submitted_by) in page
    assert len(with_letters) == len(without_letters)
    page_queries = [q["sql"] for q in with_letters.captured_queries if 'FROM "applications_application"' in q["sql"]]
    assert page_queries and not any('"password"' in sql for sql in page_queries)
