"""Acceptance test of the selection procedure, in a real browser: from the academy's
assignment through the reviewer's scoring to the award in the ranking, and what the
applicant sees of it (the decision, never the reviewer or the scores)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import User
from applications.models import Application, OrganisationKind
from applications.services import submit_application
from reviews.models import Decision, Review
from tests.conftest import complete
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_academy_staff,
    make_reviewer,
    while_open,
)

from .conftest import log_in, staff_log_in

pytestmark = pytest.mark.browser

STAFF_EMAIL, STAFF_PASSWORD = "akademie@fuehrungsakademie.example", "Akademie-Verwaltung-2020"
REVIEWER_EMAIL, REVIEWER_PASSWORD = "gisela.gutachter@lenkungskreis.example", "Lenkungskreis-Gutachten-2020"
SECRET_NOTE = "Vertraulich: Der Gemeinderat wirkte wenig überzeugt."

# Unequal weights and maxima: (title, weight, max_points).
CRITERIA = [
    ("Bedarf und Ausgangslage", 3, 10),
    ("Beteiligung", 2, 5),
    ("Politische Rückendeckung", 1, 4),
]
# Points per criterion, in CRITERIA order, and the weighted total Σ(points/max × weight) / Σweight × 100.
ESSLINGEN_POINTS = (5, 2, 4)  # (0.5·3 + 0.4·2 + 1·1) / 6 = 55,00 %
REUTLINGEN_POINTS = (8, 4, 3)  # (0.8·3 + 0.8·2 + 0.75·1) / 6 = 79,1666… → 79,17 %


def _submitted_application(funding_round, organisation_name):
    """A complete application of a fresh organisation, submitted by its confirmed member."""
    organisation = OrganisationFactory(name=organisation_name, kind=OrganisationKind.GROSSE_KREISSTADT)
    membership = MembershipFactory(organisation=organisation)
    application = complete(ApplicationFactory(funding_round=funding_round, organisation=organisation))
    # Submitted while the round was open; the academy decides after the deadline.
    application = submit_application(
        declared=True, application=application, user=membership.user, now=while_open(funding_round)
    )
    application.member = membership.user
    return application


def _admin_log_in(page, email, password):
    """Through the real login form (the admin sends there) and the code page."""
    staff_log_in(page, User.objects.get(email=email), password)


def _select(page, application):
    page.get_by_role("checkbox", name=f"Dieses Objekt für eine Aktion auswählen - {application}").check()


def _run_action(page, label):
    page.get_by_role("combobox", name=re.compile(r"^Aktion")).select_option(label=label)
    page.get_by_role("button", name="Ausführen").click()


def _messages(page):
    return page.locator("ul.messagelist")


def _score(page, points, *, recommendation, note=""):
    """Fill the scoring form: points and a comment per criterion, recommendation, note."""
    for (title, _weight, maximum), value in zip(CRITERIA, points, strict=True):
        page.get_by_label(f"Punkte für „{title}“ (0 bis {maximum})").fill(str(value))
        page.get_by_label(f"Begründung zu „{title}“").fill(f"{title}: {value} von {maximum} Punkten, nachvollziehbar.")
    page.get_by_label(re.compile(r"^Empfehlung:?$")).select_option(label=recommendation)
    if note:
        page.get_by_label("Anmerkung (für die Akademie)").fill(note)


def test_staff_assign_reviewer_scores_staff_award_from_ranking_applicant_sees_decision(new_context, live_server, axe):
    # Two places, but the budget holds only one package of 40.000 €: one application above the line.
    funding_round = FundingRoundFactory(
        name="Ausschreibung 2020", code="IE2020", places=2, budget=Decimal("60000.00"), four_eyes=False, closed=True
    )
    for position, (title, weight, maximum) in enumerate(CRITERIA):
        CriterionFactory(funding_round=funding_round, title=title, weight=weight, max_points=maximum, position=position)
    esslingen = _submitted_application(funding_round, "Esslingen am Neckar")
    reutlingen = _submitted_application(funding_round, "Reutlingen")
    assert (esslingen.reference_number, reutlingen.reference_number) == ("IE2020-0001", "IE2020-0002")
    make_academy_staff(email=STAFF_EMAIL, password=STAFF_PASSWORD, first_name="Anna", last_name="Akademie")
    reviewer = make_reviewer(
        email=REVIEWER_EMAIL, password=REVIEWER_PASSWORD, first_name="Gisela", last_name="Gutachter"
    )
    UserFactory(email="nicht.gutachter@fa.example", is_staff=True)  # not in the group: never offered

    # --- Academy staff: move both applications to review and assign the reviewer. ---
    staff = new_context().new_page()
    _admin_log_in(staff, STAFF_EMAIL, STAFF_PASSWORD)
    staff.get_by_role("link", name="Anträge", exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Antrag zum Ansehen auswählen")
    for application in (esslingen, reutlingen):
        _select(staff, application)
    _run_action(staff, "In Prüfung geben")
    expect(_messages(staff)).to_contain_text("2 Anträge in Prüfung gegeben.")
    assert set(Application.objects.values_list("status", flat=True)) == {Application.Status.IN_REVIEW}

    for application in (esslingen, reutlingen):
        _select(staff, application)
    _run_action(staff, "Gutachter/innen zuweisen")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Gutachter/innen zuweisen")
    selected = staff.get_by_role("list").filter(has_text="IE2020-0001 – Esslingen am Neckar")
    expect(selected).to_contain_text("IE2020-0002 – Reutlingen (in Prüfung)")
    group = staff.get_by_role("group", name="Gutachter/innen (Gruppe „Gutachter/innen“)")
    expect(group.get_by_role("checkbox")).to_have_count(1)  # only members of the group are offered
    group.get_by_role("checkbox", name=f"Gisela Gutachter <{REVIEWER_EMAIL}>").check()
    staff.get_by_role("button", name="Zuweisen").click()
    expect(_messages(staff)).to_contain_text("2 neue Zuweisungen angelegt.")
    assert Review.objects.filter(reviewer=reviewer, status=Review.Status.ASSIGNED).count() == 2

    # --- The reviewer: declare no conflict, score, recommend, finish; the review is locked. ---
    gutachterin = new_context().new_page()
    _admin_log_in(gutachterin, REVIEWER_EMAIL, REVIEWER_PASSWORD)
    for application, points, recommendation in (
        (esslingen, ESSLINGEN_POINTS, "Nachrückliste"),
        (reutlingen, REUTLINGEN_POINTS, "Förderung empfehlen"),
    ):
        gutachterin.goto("/admin/")
        gutachterin.get_by_role("link", name="Bewertungen", exact=True).click()
        gutachterin.get_by_role("link", name=application.reference_number).click()
        expect(gutachterin.get_by_role("heading", level=1)).to_have_text(f"Bewertung: {application}")
        gutachterin.get_by_role("button", name="Ich erkläre, dass keine Befangenheit vorliegt").click()
        expect(_messages(gutachterin)).to_contain_text("Danke. Sie können den Antrag jetzt bewerten.")
        if application is reutlingen:
            expect(gutachterin.get_by_role("group", name="Bedarf und Ausgangslage")).to_contain_text(
                "Gewicht: 3 · Höchstpunktzahl: 10"
            )
            axe(gutachterin, label=f"scoring page of the reviewer ({gutachterin.url})")
        _score(
            gutachterin,
            points,
            recommendation=recommendation,
            note=SECRET_NOTE if application is reutlingen else "",
        )
        gutachterin.get_by_role("button", name="Bewertung abschließen").click()
        expect(_messages(gutachterin)).to_contain_text("Die Bewertung ist abgeschlossen. Vielen Dank!")

    # Locked: reopened, the review is read-only.
    gutachterin.get_by_role("link", name="IE2020-0002").click()
    locked = re.compile(r"^Die Bewertung wurde am .+ abgeschlossen und ist gesperrt\.$")
    expect(gutachterin.get_by_text(locked)).to_be_visible()
    expect(gutachterin.get_by_role("button", name="Bewertung abschließen")).to_have_count(0)
    expect(gutachterin.get_by_role("button", name="Zwischenspeichern")).to_have_count(0)
    expect(gutachterin.get_by_role("spinbutton")).to_have_count(0)
    scores = gutachterin.get_by_role("table", name="Punkte je Kriterium")
    # Cells after the criterion: weight, maximum, points, comment.
    expect(
        scores.get_by_role("row", name=re.compile("^Bedarf und Ausgangslage")).get_by_role("cell").nth(2)
    ).to_have_text("8")
    totals = dict(Review.objects.values_list("application__reference_number", "total"))
    assert totals == {"IE2020-0001": Decimal("55.00"), "IE2020-0002": Decimal("79.17")}
    assert set(Review.objects.values_list("status", flat=True)) == {Review.Status.FINISHED}

    # --- Academy staff: the ranking with mean scores and the funding line; award from there. ---
    staff.goto(f"/admin/applications/fundinground/{funding_round.pk}/change/")
    staff.get_by_role("link", name="Rangliste", exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Rangliste: Ausschreibung 2020")
    table = staff.get_by_role("table", name="Rangliste Ausschreibung 2020: nach mittlerer gewichteter Punktzahl")
    rows = table.get_by_role("row")
    expect(rows).to_have_count(4)  # header, Reutlingen, funding line, Esslingen
    first, line, second = rows.nth(1), rows.nth(2), rows.nth(3)
    expect(first.get_by_role("cell").first).to_have_text("1")
    expect(first.get_by_role("rowheader")).to_have_text("IE2020-0002")
    expect(first).to_contain_text("Reutlingen")
    expect(first).to_contain_text("79,17")
    expect(first).to_contain_text("innerhalb")
    expect(line).to_contain_text("Förderlinie: 2 Plätze / Budget 60.000,00 €")
    expect(line).to_contain_text("(darüber 1 Antrag mit zusammen 40.000,00 €)")
    expect(second.get_by_role("rowheader")).to_have_text("IE2020-0001")
    expect(second).to_contain_text("55,00")
    expect(second).to_contain_text("außerhalb")
    axe(staff, label=f"ranking page ({staff.url})")

    first.get_by_role("button", name="Bewilligen IE2020-0002").click()
    # The confirmation page: what happens, to whom, which letter and e-mail; nothing decided yet.
    expect(staff.get_by_role("heading", level=1)).to_have_text("Bewilligen: IE2020-0002 – Reutlingen")
    confirm = staff.get_by_role("table", name="Betroffene Anträge")
    expect(confirm).to_contain_text("Reutlingen")
    expect(confirm).to_contain_text("40.000,00")
    expect(confirm).to_contain_text("Bescheid – Aufnahme in die Prozessbegleitung")
    expect(confirm).to_contain_text(reutlingen.member.email)
    expect(staff.locator("#content-main")).to_contain_text("nur durch einen neuen Bescheid korrigieren")
    assert not Decision.objects.filter(application=reutlingen).exists()
    axe(staff, label=f"confirmation page ({staff.url})")
    staff.get_by_role("button", name="Verbindlich bestätigen").click()
    expect(_messages(staff)).to_contain_text(
        "„Bewilligung“ für IE2020-0002 – Reutlingen ist freigegeben; der Antrag hat jetzt den Status „bewilligt“."
    )
    expect(rows.nth(1)).to_contain_text("bewilligt")
    expect(rows.nth(1).get_by_role("button")).to_have_count(0)
    reutlingen.refresh_from_db()
    assert reutlingen.status == Application.Status.AWARDED
    assert reutlingen.awarded_amount == Decimal("40000.00")
    assert Decision.objects.get(application=reutlingen).status == Decision.Status.RELEASED

    # --- The applicant: the decision on the dashboard; nothing of the reviewer or the scores. ---
    applicant_context = new_context()
    log_in(applicant_context, live_server, reutlingen.member)
    applicant = applicant_context.new_page()
    applicant.goto("/portal/")
    expect(applicant.get_by_role("heading", level=1, name="Meine Anträge")).to_be_visible()
    applications = applicant.get_by_role("table", name="Anträge Ihrer Organisationen mit Status und Dokumenten")
    row = applications.get_by_role("row").filter(has_text="IE2020-0002")
    expect(row.get_by_role("cell").nth(2)).to_have_text("bewilligt")
    seen = applicant.locator("body").inner_text()
    applicant.get_by_role("link", name="Reutlingen").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Antrag Reutlingen")
    seen += applicant.locator("body").inner_text()
    for secret in (
        "Gisela",
        "Gutachter",
        REVIEWER_EMAIL,
        SECRET_NOTE,
        "nachvollziehbar",
        "79,17",
        "79.17",
        "Förderung empfehlen",
        "Punkte",
    ):
        assert secret not in seen, f"the applicant sees {secret!r}"
