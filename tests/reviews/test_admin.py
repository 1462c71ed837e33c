"""The review and decision admin: who sees what, the scoring page, actions, ranking, query counts."""

import itertools
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ensure_roles
from applications.models import Application
from reviews.models import Criterion, Decision, Recommendation, Review, Score
from reviews.services import assign_reviewer, declare_conflict, declare_no_conflict
from tests.conftest import confirmation_fields, post_confirmed, submitted_application
from tests.factories import (
    ApplicationFactory,
    make_reviewer,
)

pytestmark = pytest.mark.django_db

APPLICATIONS = "/admin/applications/application/"
REVIEWS = "/admin/reviews/review/"
DECISIONS = "/admin/reviews/decision/"


# --- helpers and fixtures ------------------------------------------------------------


@pytest.fixture(autouse=True)
def roles(db):
    ensure_roles()


@pytest.fixture
def other_reviewer(roles):
    return make_reviewer(first_name="Otto", last_name="Anderer")


@pytest.fixture
def two_criteria(two_place_round):
    """Two criteria, the first with guidance for the scoring page (tests/reviews/conftest.py's criteria are three)."""
    return [
        Criterion.objects.create(
            funding_round=two_place_round,
            position=1,
            title="Bedarf und Ausgangslage",
            guidance="Wie gut ist die Ausgangslage beschrieben?",
            weight=3,
            max_points=10,
        ),
        Criterion.objects.create(
            funding_round=two_place_round, position=2, title="Beteiligung", weight=2, max_points=5
        ),
    ]


@pytest.fixture
def unassigned(two_place_round, academy):
    return submitted_application(two_place_round, by=academy, organisation_name="Unzugewiesenhausen")


@pytest.fixture
def review(application, reviewer, academy):
    return assign_reviewer(application=application, reviewer=reviewer, by=academy)


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def review_url(review):
    return reverse("admin:reviews_review_change", args=[review.pk])


def change_url(application):
    return reverse("admin:applications_application_change", args=[application.pk])


# --- what reviewers can see ----------------------------------------------------------


def test_reviewer_sees_only_assigned_applications(client, reviewer, other_reviewer, review, unassigned, academy):
    other_review = assign_reviewer(application=unassigned, reviewer=other_reviewer, by=academy)
    client.force_login(reviewer)

    listing = client.get(APPLICATIONS).content.decode()
    assert review.application.reference_number in listing
    assert unassigned.reference_number not in listing
    assert "Unzugewiesenhausen" not in listing
    assert "Mittelwert" not in listing  # no other reviewers' scores for reviewers
    assert 'name="action"' not in listing  # no actions

    # Direct URLs of the unassigned application: no content, whatever the route.
    response = client.get(change_url(unassigned), follow=True)
    assert "Unzugewiesenhausen" not in response.content.decode()
    assert response.redirect_chain or response.status_code == 404
    assert client.get(reverse("admin:applications_application_history", args=[unassigned.pk])).status_code == 404
    # ...nor its review (assigned to someone else), in the list or directly.
    assert unassigned.reference_number not in client.get(REVIEWS).content.decode()
    assert client.get(review_url(other_review)).status_code == 404
    assert client.get(reverse("admin:reviews_review_history", args=[other_review.pk])).status_code == 404

    # The assigned application is readable, with a link to the reviewer's own review.
    page = client.get(change_url(review.application))
    assert page.status_code == 200
    assert review_url(review) in page.content.decode()


def test_reviewer_cannot_add_delete_or_decide(client, reviewer, review):
    client.force_login(reviewer)
    assert client.get(REVIEWS + "add/").status_code == 403
    assert client.get(reverse("admin:reviews_review_delete", args=[review.pk])).status_code == 403
    assert client.get(DECISIONS).status_code == 403
    decide = reverse("admin:applications_application_decide", args=[review.application.pk])
    assert client.post(decide, {"kind": "award"}).status_code == 403
    # An action posted by hand is not offered to reviewers, so nothing happens.
    client.post(APPLICATIONS, {"action": "award", "_selected_action": [review.application.pk]})
    review.application.refresh_from_db()
    assert review.application.status == Application.Status.IN_REVIEW


def test_attachment_download_only_for_assigned_reviewers(client, reviewer, other_reviewer, review, academy):
    attachment = review.application.attachments.get()
    url = reverse("admin:applications_attachment_download", args=[attachment.pk])
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    client.force_login(other_reviewer)
    assert client.get(url).status_code == 404
    client.force_login(academy)
    assert client.get(url).status_code == 200
    declare_conflict(review=review, reviewer=reviewer, reason="Wohnort")
    client.force_login(reviewer)
    assert client.get(url).status_code == 404


def test_history_cannot_revert(client, academy, application):
    client.force_login(academy)
    history = client.get(reverse("admin:applications_application_history", args=[application.pk]))
    assert history.status_code == 200
    version = application.history.latest()
    url = reverse("admin:applications_application_simple_history", args=[application.pk, version.history_id])
    assert client.post(url, {}).status_code == 403


# --- the scoring page ----------------------------------------------------------------


def test_reviewer_scores_through_the_admin(client, reviewer, review, two_criteria):
    first, second = two_criteria
    url = review_url(review)
    client.force_login(reviewer)

    page = client.get(url).content.decode()
    assert "Ich erkläre, dass keine Befangenheit vorliegt" in page
    assert "Ich bin befangen" in page
    assert "Integrationssituation vor Ort" in page  # the application's content, read-only
    assert 'name="points_' not in page  # no scoring before the declaration

    response = client.post(url, {"declare_no_conflict": "1"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.OPEN

    page = client.get(url).content.decode()
    for criterion in two_criteria:
        assert f'<label for="id_points_{criterion.pk}">' in page
        assert f'<label for="id_comment_{criterion.pk}">' in page
        assert f'id="criterion-{criterion.pk}-guidance"' in page
    assert "Wie gut ist die Ausgangslage beschrieben?" in page
    assert "Zwischenspeichern" in page and "Bewertung abschließen" in page
    attachment = review.application.attachments.get()
    assert reverse("admin:applications_attachment_download", args=[attachment.pk]) in page

    # Save a draft: only the first criterion.
    data = {f"points_{first.pk}": "8", f"comment_{first.pk}": "Gut beschrieben.", "recommendation": "", "note": ""}
    response = client.post(url, {**data, "_save": "1"})
    assert response.status_code == 302
    assert "Zwischengespeichert." in texts(response)
    assert Score.objects.get(review=review, criterion=first).points == 8

    # Finishing with a criterion missing is refused with the service's message.
    response = client.post(url, {**data, "_finish": "1"}, follow=True)
    assert any("Es fehlen Punkte für: Beteiligung" in text for text in texts(response))
    review.refresh_from_db()
    assert review.status == Review.Status.OPEN

    data.update({f"points_{second.pk}": "4", "recommendation": Recommendation.AWARD, "note": "Überzeugend."})
    response = client.post(url, {**data, "_finish": "1"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.FINISHED
    assert review.total == Decimal("80.00")  # (0.8*3 + 0.8*2) / 5 * 100

    # Locked: read-only, and a POST is refused by the service.
    page = client.get(url).content.decode()
    assert "gesperrt" in page
    assert 'name="points_' not in page
    response = client.post(url, {**data, f"points_{first.pk}": "1", "_save": "1"}, follow=True)
    assert any("abgeschlossen und kann nicht mehr geändert werden" in text for text in texts(response))
    assert Score.objects.get(review=review, criterion=first).points == 8


def test_points_outside_the_range_are_refused(client, reviewer, review, two_criteria):
    declare_no_conflict(review=review, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.post(review_url(review), {f"points_{two_criteria[1].pk}": "6", "_save": "1"})
    assert response.status_code == 200
    assert "Bitte korrigieren Sie die markierten Angaben." in response.content.decode()
    assert not review.scores.exists()


def test_conflict_removes_the_assignment(client, reviewer, review):
    client.force_login(reviewer)
    response = client.post(review_url(review), {"declare_conflict": "1", "reason": "Ich wohne dort."})
    assert response.status_code == 302
    assert response["Location"] == REVIEWS
    review.refresh_from_db()
    assert (review.status, review.conflict_reason) == (Review.Status.CONFLICT, "Ich wohne dort.")
    reference = review.application.reference_number
    assert reference not in client.get(REVIEWS).content.decode()
    assert reference not in client.get(APPLICATIONS).content.decode()
    assert client.get(review_url(review)).status_code == 404


def test_academy_reads_reviews_but_does_not_score_them(client, academy, reviewer, review, two_criteria):
    declare_no_conflict(review=review, reviewer=reviewer)
    client.force_login(academy)
    listing = client.get(REVIEWS).content.decode()
    assert review.application.reference_number in listing
    page = client.get(review_url(review))
    assert page.status_code == 200
    assert 'name="points_' not in page.content.decode()
    assert client.post(review_url(review), {"_save": "1"}).status_code == 403


# --- academy actions -------------------------------------------------------------------


def _action(client, action, applications, **data):
    """Run a bulk action; decisions go through their confirmation page (confirmed here)."""
    response = client.post(
        APPLICATIONS, {"action": action, "_selected_action": [a.pk for a in applications], **data}, follow=True
    )
    if 'name="confirmation"' in response.content.decode():
        response = client.post(APPLICATIONS, confirmation_fields(response), follow=True)
    return response


def test_move_to_review_and_assign_reviewers(client, academy, two_place_round, reviewer, other_reviewer):
    first, second = (submitted_application(two_place_round, in_review=False) for _ in range(2))
    client.force_login(academy)
    _action(client, "move_to_review", [first, second])
    assert set(Application.objects.values_list("status", flat=True)) == {Application.Status.IN_REVIEW}

    page = client.post(APPLICATIONS, {"action": "assign_reviewers", "_selected_action": [first.pk, second.pk]})
    content = page.content.decode()
    assert page.status_code == 200
    assert "Gisela Gutachter" in content and "Otto Anderer" in content
    assert "Anna Akademie" not in content  # only the reviewer group is offered

    response = _action(client, "assign_reviewers", [first, second], apply="1", reviewers=[reviewer.pk])
    assert "2 neue Zuweisungen angelegt." in texts(response)
    assert Review.objects.filter(reviewer=reviewer).count() == 2
    # Assigning again creates nothing new.
    response = _action(client, "assign_reviewers", [first], apply="1", reviewers=[reviewer.pk, other_reviewer.pk])
    assert Review.objects.count() == 3


def test_award_waitlist_promote_and_errors_per_application(client, academy, two_place_round):
    a, b = (submitted_application(two_place_round, by=academy) for _ in range(2))
    draft_like = submitted_application(two_place_round, in_review=False)
    client.force_login(academy)

    response = _action(client, "waitlist", [b, draft_like])
    b.refresh_from_db()
    assert b.status == Application.Status.WAITLISTED
    # The submitted (not in review) application is refused, with the service's message.
    assert any(draft_like.reference_number in t and "kann nicht so entschieden werden" in t for t in texts(response))

    response = _action(client, "award", [a])
    a.refresh_from_db()
    assert (a.status, a.awarded_amount) == (Application.Status.AWARDED, two_place_round.max_per_package)

    response = _action(client, "promote", [a, b])
    b.refresh_from_db()
    assert b.status == Application.Status.AWARDED
    assert any("Nur Anträge auf der Nachrückliste" in t for t in texts(response))


def test_reject_asks_for_reasons(client, academy, application):
    client.force_login(academy)
    page = client.post(APPLICATIONS, {"action": "reject", "_selected_action": [application.pk]})
    assert page.status_code == 200
    assert 'for="id_reasons"' in page.content.decode()

    page = client.post(APPLICATIONS, {"action": "reject", "_selected_action": [application.pk], "apply": "1"})
    assert page.status_code == 200  # reasons missing: the form again
    assert "Bitte begründen Sie die Ablehnung." in page.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW

    _action(client, "reject", [application], apply="1", reasons="Kein Beschluss des Gemeinderats.")
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert Decision.objects.get(application=application).reasons == "Kein Beschluss des Gemeinderats."


def test_decision_form_on_the_change_page(client, academy, two_place_round):
    award, reject, waitlist = (submitted_application(two_place_round, by=academy) for _ in range(3))
    client.force_login(academy)
    page = client.get(change_url(award)).content.decode()
    assert "Entscheidung" in page and "Historie" in page
    assert reverse("admin:applications_application_history", args=[award.pk]) in page
    assert 'value="40000,00"' in page  # amount defaults to the round's maximum
    assert '<label for="id_amount">' in page

    decide = "admin:applications_application_decide"
    post_confirmed(client, reverse(decide, args=[award.pk]), {"kind": "award", "amount": "30000"})
    post_confirmed(client, reverse(decide, args=[reject.pk]), {"kind": "reject", "reasons": "Unvollständig."})
    post_confirmed(client, reverse(decide, args=[waitlist.pk]), {"kind": "waitlist"})
    for application in (award, reject, waitlist):
        application.refresh_from_db()
    assert (award.status, award.awarded_amount) == (Application.Status.AWARDED, Decimal("30000.00"))
    assert reject.status == Application.Status.REJECTED
    assert waitlist.status == Application.Status.WAITLISTED

    # A decision the service would refuse gets no confirmation page: the reason shows at once.
    response = client.post(reverse(decide, args=[waitlist.pk]), {"kind": "award", "amount": "99999"}, follow=True)
    assert any("übersteigt den Höchstbetrag" in t for t in texts(response))
    assert "Verbindlich bestätigen" not in response.content.decode()
    waitlist.refresh_from_db()
    assert waitlist.status == Application.Status.WAITLISTED
    assert client.get(reverse(decide, args=[waitlist.pk])).status_code == 405


def test_four_eyes_release_needs_a_second_person(client, academy, colleague, two_place_round, application):
    two_place_round.four_eyes = True
    two_place_round.save()
    client.force_login(academy)
    response = _action(client, "award", [application])
    assert any("Vier-Augen-Prinzip" in t for t in texts(response))
    decision = Decision.objects.get(application=application)
    assert decision.status == Decision.Status.PROPOSED

    response = post_confirmed(client, DECISIONS, {"action": "release", "_selected_action": [decision.pk]}, follow=True)
    assert any("Eine andere Person muss die Entscheidung freigeben" in t for t in texts(response))
    decision.refresh_from_db()
    assert decision.status == Decision.Status.PROPOSED

    client.force_login(colleague)
    response = post_confirmed(client, DECISIONS, {"action": "release", "_selected_action": [decision.pk]}, follow=True)
    assert "1 Entscheidung freigegeben." in texts(response)
    decision.refresh_from_db()
    application.refresh_from_db()
    assert (decision.status, decision.released_by) == (Decision.Status.RELEASED, colleague)
    assert application.status == Application.Status.AWARDED
    # Decisions are records: no add, no change, no delete.
    assert client.get(DECISIONS + "add/").status_code == 403
    page = client.get(reverse("admin:reviews_decision_change", args=[decision.pk])).content.decode()
    assert 'name="_save"' not in page


def test_cancel_a_proposed_decision(client, academy, two_place_round, application):
    two_place_round.four_eyes = True
    two_place_round.save()
    client.force_login(academy)
    _action(client, "waitlist", [application])
    decision = Decision.objects.get(application=application)
    client.post(DECISIONS, {"action": "cancel", "_selected_action": [decision.pk]})
    decision.refresh_from_db()
    assert decision.status == Decision.Status.CANCELLED


# --- funding round: criteria, ranking ----------------------------------------------------


SEQUENCE = itertools.count(1000)  # clear of the sequences submit_application hands out


def scored(two_place_round, totals, *, reviewers):
    """An application in review with finished reviews of the given totals (created directly)."""
    sequence = next(SEQUENCE)
    application = ApplicationFactory(
        funding_round=two_place_round,
        status=Application.Status.IN_REVIEW,
        submitted_at=timezone.now(),
        sequence=sequence,
        reference_number=f"{two_place_round.code}-{sequence:04d}",
    )
    Review.objects.bulk_create(
        Review(
            application=application,
            reviewer=reviewer,
            status=Review.Status.FINISHED,
            total=Decimal(total),
            recommendation=Recommendation.AWARD,
            finished_at=timezone.now(),
        )
        for reviewer, total in zip(reviewers, totals, strict=False)
    )
    return application


def test_round_admin_has_criteria_and_ranking_links(client, academy, two_place_round, two_criteria):
    client.force_login(academy)
    ranking_url = reverse("admin:applications_fundinground_ranking", args=[two_place_round.pk])
    page = client.get(reverse("admin:applications_fundinground_change", args=[two_place_round.pk])).content.decode()
    assert ranking_url in page
    assert "Bedarf und Ausgangslage" in page
    assert 'name="four_eyes"' in page and 'name="spread_threshold"' in page
    assert ranking_url in client.get("/admin/applications/fundinground/").content.decode()


def test_ranking_draws_the_funding_line(client, academy, reviewer, other_reviewer, two_place_round):
    reviewers = [reviewer, other_reviewer]
    third = scored(two_place_round, ["40", "50"], reviewers=reviewers)
    first = scored(two_place_round, ["90", "80"], reviewers=reviewers)
    second = scored(two_place_round, ["70", "71"], reviewers=reviewers)
    spread = scored(two_place_round, ["100", "10"], reviewers=reviewers)  # far apart; mean 55
    client.force_login(academy)
    response = client.get(reverse("admin:applications_fundinground_ranking", args=[two_place_round.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.index(a.reference_number) for a in (first, second, spread, third)]
    line = page.index("Förderlinie: 2 Plätze / Budget 80.000,00 €")
    # places=2: the line goes after the second row (85 and 70.5 > 55 > 45).
    assert positions[0] < positions[1] < line < positions[2] < positions[3]
    assert "abweichend" in page[positions[2] : positions[3]]
    assert "85,00" in page and "2/2" in page
    assert "Stuttgart" in page  # distribution by Regierungsbezirk
    # A "Bewilligen" button per row, posting (with the page's one CSRF token) to the row's award URL.
    assert page.count('formaction="/admin/applications/fundinground/') == 4
    assert page.count("csrfmiddlewaretoken") <= 2  # the award form's and the logout button's, not one per row


def test_ranking_award_button(client, academy, reviewer, two_place_round):
    application = scored(two_place_round, ["80"], reviewers=[reviewer])
    url = reverse("admin:applications_fundinground_award", args=[two_place_round.pk, application.pk])
    client.force_login(academy)
    assert client.get(url).status_code == 405
    response = post_confirmed(client, url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:applications_fundinground_ranking", args=[two_place_round.pk])
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED
    response = post_confirmed(client, url, follow=True)  # twice: the service refuses
    assert any("kann nicht so entschieden werden" in t for t in texts(response))


def test_ranking_award_is_csrf_protected(academy, reviewer, two_place_round):
    from tests.twofactor import TwoFactorClient

    application = scored(two_place_round, ["80"], reviewers=[reviewer])
    client = TwoFactorClient(enforce_csrf_checks=True)
    client.force_login(academy)
    url = reverse("admin:applications_fundinground_award", args=[two_place_round.pk, application.pk])
    assert client.post(url).status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW


@pytest.mark.parametrize(
    "name",
    [
        "applications_fundinground_ranking",
        "applications_fundinground_ranking_csv",
        "applications_fundinground_ranking_xlsx",
        "applications_fundinground_applications_csv",
        "applications_fundinground_applications_xlsx",
    ],
)
def test_ranking_and_exports_are_for_academy_staff_only(client, reviewer, academy, two_place_round, name):
    url = reverse(f"admin:{name}", args=[two_place_round.pk])
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
    client.force_login(academy)
    assert client.get(url).status_code == 200


def test_reviewer_cannot_award_from_the_ranking(client, reviewer, two_place_round):
    application = scored(two_place_round, ["80"], reviewers=[reviewer])
    client.force_login(reviewer)
    url = reverse("admin:applications_fundinground_award", args=[two_place_round.pk, application.pk])
    assert client.post(url).status_code == 403


# --- list columns and query counts -------------------------------------------------------


def test_changelist_shows_scores_from_annotations(client, academy, reviewer, other_reviewer, two_place_round):
    two_place_round.spread_threshold = 20
    two_place_round.save()
    application = scored(two_place_round, ["90", "60"], reviewers=[reviewer, other_reviewer])
    Review.objects.create(application=application, reviewer=academy, status=Review.Status.OPEN)
    client.force_login(academy)
    page = client.get(APPLICATIONS).content.decode()
    row = page[page.index(application.reference_number) :]
    row = row[: row.index("</tr>")]
    assert "75,00" in row
    assert "2/3" in row
    assert "abweichend" in row
    assert re.search(r"Mittelwert", page)
    # Sortable by the mean score.
    assert client.get(APPLICATIONS, {"o": "6"}).status_code == 200


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_number_of_applications(
    client, academy, reviewer, other_reviewer, two_place_round
):
    third = make_reviewer()
    reviewers = [reviewer, other_reviewer, third]
    ranking_url = reverse("admin:applications_fundinground_ranking", args=[two_place_round.pk])
    csv_url = reverse("admin:applications_fundinground_ranking_csv", args=[two_place_round.pk])
    client.force_login(academy)

    def counts():
        return [_count_queries(client, url) for url in (APPLICATIONS, ranking_url, csv_url, REVIEWS)]

    for n in range(3):
        scored(two_place_round, [str(50 + n), "60", "70"], reviewers=reviewers)
    small = counts()
    for n in range(12):
        scored(two_place_round, [str(40 + n), "60", "70"], reviewers=reviewers)
    assert Application.objects.count() == 15
    assert counts() == small


# --- German numbers and dates on the review pages -------------------------------------------


def test_scoring_page_writes_dates_and_numbers_the_german_way(client, reviewer, review, two_criteria):
    application = review.application
    application.resolution_date = date(2026, 11, 10)
    application.staff_hours_per_week = Decimal("12.5")
    application.save()
    declare_no_conflict(review=review, reviewer=reviewer)
    client.force_login(reviewer)
    page = client.get(review_url(review)).content.decode()
    assert "10.11.2026" in page and "2026-11-10" not in page
    assert "12,5" in page and "12.5" not in page
    # Weights as an academy prints them: no needless decimals, a comma where there are some.
    assert "Gewicht: 3 · Höchstpunktzahl: 10" in page and "3,00" not in page
    criterion = two_criteria[1]
    criterion.weight = Decimal("1.5")
    criterion.save()
    page = client.get(review_url(review)).content.decode()
    assert "Gewicht: 1,5 · Höchstpunktzahl: 5" in page


def test_decision_amount_typed_in_german_notation(client, academy, two_place_round):
    award = submitted_application(two_place_round, by=academy)
    client.force_login(academy)
    decide = reverse("admin:applications_application_decide", args=[award.pk])
    post_confirmed(client, decide, {"kind": "award", "amount": "30.000,50"})
    award.refresh_from_db()
    assert award.awarded_amount == Decimal("30000.50")


def test_bulk_confirmation_page_needs_as_many_queries_for_six_rows_as_for_two(client, academy, two_place_round):
    """The confirmation page lists each row's recipients; they are read in one query, not one per row."""
    applications = [submitted_application(two_place_round, by=academy) for _ in range(6)]
    client.force_login(academy)

    def confirmation_page_queries(rows):
        with CaptureQueriesContext(connection) as queries:
            page = client.post(APPLICATIONS, {"action": "award", "_selected_action": [a.pk for a in rows]})
        assert 'name="confirmation"' in page.content.decode()
        for application in rows:  # every row names the municipality's confirmed member
            assert application.member.email in page.content.decode()
        return len(queries)

    confirmation_page_queries(applications[:1])  # warm the per-process caches (content types, permissions)
    assert confirmation_page_queries(applications[:2]) == confirmation_page_queries(applications)
