"""The footer's pages and the contact form: reachable from the footer, and no serious axe violation."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from pages.models import ContactMessage
from tests.factories import FundingRoundFactory
from tests.pages.conftest import create_default_pages

pytestmark = pytest.mark.browser

FOOTER_PAGES = [
    ("Impressum", "Impressum"),
    ("Barrierefreiheit", "Erklärung zur Barrierefreiheit"),
    ("Leichte Sprache", "Leichte Sprache"),
    ("Gebärdensprache", "Gebärdensprache"),
    ("Kontakt", "Kontakt"),
]


@pytest.fixture
def pages(transactional_db):
    create_default_pages()


@pytest.mark.parametrize(("link", "heading"), FOOTER_PAGES)
def test_footer_page_is_reachable_and_accessible(link, heading, axe, page, pages):
    page.goto("/konto/anmelden/")
    page.get_by_role("navigation", name="Rechtliches und Hilfe").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    axe(page, label=f"{link} ({page.url})")


def test_contact_form_sends_and_shows_errors_accessibly(axe, page, pages):
    page.goto("/kontakt/")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    axe(page, label="Kontakt mit Fehlern")
    page.get_by_label("Ihr Name").fill("Erika Engagiert")
    page.get_by_label("Ihre E-Mail-Adresse").fill("erika@esslingen.example")
    page.get_by_label("Betreff").fill("Frage zur Frist")
    page.get_by_label("Ihre Nachricht").fill("Gilt die Frist auch für Landkreise?")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.get_by_role("status")).to_contain_text("Vielen Dank")
    axe(page, label="Kontakt gesendet")
    assert ContactMessage.objects.get().subject == "Frage zur Frist"
    assert len(mail.outbox) == 1


def test_round_page_from_the_start_page(axe, page, pages):
    funding_round = FundingRoundFactory(name="Ausschreibung 2026")
    page.goto("/")
    page.get_by_role("link", name="Förderaufruf, Dokumente und Bewertungskriterien: Ausschreibung 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(funding_round.name)
    axe(page, label=f"Ausschreibung ({page.url})")
