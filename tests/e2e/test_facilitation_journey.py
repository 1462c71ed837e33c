"""Acceptance test of the facilitation after an award, in a real browser: the moderator logs a
session, the municipality sees its remaining budget, the academy sees the used budget."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from applications.models import OrganisationKind
from applications.services import submit_application
from facilitation import services as facilitation_services
from facilitation.models import Facilitation, Session
from reviews import services as review_services
from tests.conftest import complete
from tests.facilitation.conftest import make_moderator
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_academy_staff,
    while_open,
)
from tests.twofactor import totp_device

from .conftest import enter_code, field, log_in

pytestmark = pytest.mark.browser

MODERATOR_EMAIL, MODERATOR_PASSWORD = "mona.moderation@fuehrungsakademie.example", "Prozess-Begleitung-2020"
NOTE = "Leitbild-Workshop mit dem Integrationsbeirat; Protokoll folgt."
# 1,5 days × 950,00 € daily rate + 48,60 € travel costs = 1.473,60 € of the 40.000,00 € budget (3,684 %).
DAILY_RATE = Decimal("950.00")
COST, REMAINING, USED_PERCENT = "1.473,60 €", "38.526,40 €", "3,7 %"


def _awarded_facilitation(staff):
    """An application of Esslingen am Neckar, submitted, reviewed and awarded through the services."""
    # The deadline has passed (decisions only after it); the application came in while the round was open.
    funding_round = FundingRoundFactory(name="Ausschreibung 2020", code="IE2020", four_eyes=False, closed=True)
    organisation = OrganisationFactory(name="Esslingen am Neckar", kind=OrganisationKind.GROSSE_KREISSTADT)
    membership = MembershipFactory(
        organisation=organisation,
        user=UserFactory(email="erika@esslingen.example", first_name="Erika", last_name="Engagiert"),
    )
    application = complete(ApplicationFactory(funding_round=funding_round, organisation=organisation))
    application = submit_application(
        declared=True, application=application, user=membership.user, now=while_open(funding_round)
    )
    application = review_services.move_to_review(application=application, by=staff)
    review_services.award_application(application=application, by=staff)  # no four eyes: released at once
    facilitation = Facilitation.objects.get(application=application)  # created by the release
    facilitation.member = membership.user
    return facilitation


def test_moderator_logs_session_municipality_sees_remaining_budget_staff_sees_used_budget(
    new_context, live_server, axe
):
    staff = make_academy_staff(email="akademie@fuehrungsakademie.example", first_name="Anna", last_name="Akademie")
    facilitation = _awarded_facilitation(staff)
    assert facilitation.budget == Decimal("40000.00")
    moderator = make_moderator(
        daily_rate=DAILY_RATE,
        staff_user=staff,
        email=MODERATOR_EMAIL,
        password=MODERATOR_PASSWORD,
        first_name="Mona",
        last_name="Moderation",
    )
    facilitation_services.assign_facilitators(facilitation=facilitation, facilitators=[moderator], by=staff)
    session_date = facilitation.starts_on + timedelta(days=14)  # within the period (it starts next month)

    # --- The moderator logs in and books a session on the facilitation's form. ---
    page = new_context().new_page()
    totp_device(moderator.user)  # moderators are staff: password, then the code from their app
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(MODERATOR_EMAIL)
    page.get_by_label(field("Passwort")).fill(MODERATOR_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    enter_code(page, moderator.user)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Prozessbegleitung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prozessbegleitung")
    page.get_by_role("link", name="Esslingen am Neckar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prozessbegleitung Esslingen am Neckar")
    expect(page.get_by_text("Noch keine Einsätze gebucht.")).to_be_visible()
    page.get_by_role("link", name="Einsatz buchen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Einsatz buchen: Esslingen am Neckar")
    expect(page.locator("main")).to_contain_text("Noch frei: 40.000,00 € von 40.000,00 €.")
    axe(page, label=f"session form of the moderator ({page.url})")
    page.get_by_label(field("Datum")).fill(session_date.isoformat())
    page.get_by_label(field("Format")).select_option(label="Workshop")
    page.get_by_label(field("Dauer")).fill("1,5")
    page.get_by_role("radio", name="Tage").check()
    page.get_by_label(field("Fahrtkosten (EUR)")).fill("48,60")
    page.get_by_label(field("Teilnehmende")).fill("25")
    page.get_by_label(field("Kurznotiz")).fill(NOTE)
    page.get_by_role("button", name="Einsatz buchen").click()

    expect(page.get_by_role("status")).to_have_text(f"Einsatz am {session_date:%d.%m.%Y} gebucht: {COST}.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Prozessbegleitung Esslingen am Neckar")
    sessions = page.get_by_role("table", name="Einsätze mit Datum, Format, Dauer und Kosten")
    booked = sessions.get_by_role("row", name=f"{session_date:%d.%m.%Y}")
    expect(booked).to_contain_text("Workshop")
    expect(booked).to_contain_text("1,5 Tage")
    expect(booked).to_contain_text(COST)
    expect(booked).to_contain_text(NOTE)  # the moderator sees the note
    session = Session.objects.get(facilitation=facilitation)
    assert (session.facilitator, session.date, session.format) == (moderator, session_date, "workshop")
    assert (session.duration, session.unit, session.travel_costs) == (Decimal("1.5"), "days", Decimal("48.60"))
    assert (session.participants, session.notes, session.cost) == (25, NOTE, Decimal("1473.60"))

    # --- The municipality: its facilitation page shows the reduced budget (not the moderator's note). ---
    municipality_context = new_context()
    log_in(municipality_context, live_server, facilitation.member)
    municipality = municipality_context.new_page()
    municipality.goto("/portal/")
    municipality.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Prozessbegleitung").click()
    municipality.get_by_role("link", name="Esslingen am Neckar").click()
    expect(municipality.get_by_role("heading", level=1)).to_have_text("Prozessbegleitung Esslingen am Neckar")
    budget = municipality.get_by_role("table", name="Budget der Prozessbegleitung")
    expect(budget.get_by_role("row", name="Budget").get_by_role("cell")).to_have_text("40.000,00 €")
    expect(budget.get_by_role("row", name="verbraucht").get_by_role("cell")).to_have_text(f"{COST} ({USED_PERCENT})")
    expect(budget.get_by_role("row", name="noch frei").get_by_role("cell")).to_have_text(REMAINING)
    expect(municipality.get_by_role("table", name="Einsätze mit Datum, Format, Dauer und Kosten")).to_contain_text(COST)
    expect(municipality.get_by_text(NOTE)).to_have_count(0)
    expect(municipality.get_by_role("link", name="Einsatz buchen")).to_have_count(0)
    axe(municipality, label=f"facilitation page of the municipality ({municipality.url})")

    # --- Academy staff: the overview shows the used budget and percentage. ---
    staff_context = new_context()
    log_in(staff_context, live_server, staff)
    overview = staff_context.new_page()
    overview.goto("/prozessbegleitung/")
    overview.get_by_role(
        "link", name="Übersicht aller Prozessbegleitungen mit Budget, Meilensteinen und Berichten"
    ).click()
    expect(overview.get_by_role("heading", level=1)).to_have_text("Übersicht der Prozessbegleitungen")
    table = overview.get_by_role("table", name="Alle Prozessbegleitungen")
    row = table.get_by_role("row", name="Esslingen am Neckar")
    cells = row.get_by_role("cell")
    # Columns after the organisation: round, status, period, moderators, budget, used, used %, free, ...
    expect(cells.nth(0)).to_have_text("Ausschreibung 2020")
    expect(cells.nth(1)).to_have_text("läuft")  # the first session started it
    expect(cells.nth(3)).to_have_text("Mona Moderation")
    expect(cells.nth(4)).to_have_text("40.000,00 €")
    expect(cells.nth(5)).to_have_text(COST)
    expect(cells.nth(6)).to_have_text(USED_PERCENT)
    expect(cells.nth(7)).to_have_text(REMAINING)
