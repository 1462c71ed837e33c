"""The staff start page "Aufgaben" in a browser: the right counts, links to the counted rows, axe-clean."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import FundingRoundFactory, make_academy_staff, make_reviewer
from tests.staff.test_tasks import add_work

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_academy_task_page_shows_counts_links_to_the_rows_and_passes_axe(
    new_context, live_server, axe, transactional_db
):
    academy = make_academy_staff()
    add_work(2, funding_round=FundingRoundFactory(closed=True), proposer=make_academy_staff())
    context = new_context()
    log_in(context, live_server, academy)
    page = context.new_page()
    page.goto(reverse("admin:index"))

    tasks = page.get_by_role("region", name="Aufgaben")
    expect(tasks.get_by_role("heading", name="Aufgaben der Akademie")).to_be_visible()
    expect(tasks.get_by_role("link", name="2 Mitgliedschaftsanfragen warten auf Bestätigung")).to_be_visible()
    expect(tasks.get_by_role("link", name="2 davon warten auf Ihre Freigabe")).to_be_visible()
    expect(tasks.get_by_role("link", name="2 Prozessbegleitungen mit überfälligem Bericht")).to_be_visible()
    axe(page, label=f"Aufgaben ({page.url})")

    tasks.get_by_role("link", name="2 Bescheide per Post bekanntzugeben").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)


def test_reviewer_task_page_passes_axe(new_context, live_server, axe, transactional_db):
    reviewer = make_reviewer()
    context = new_context()
    log_in(context, live_server, reviewer)
    page = context.new_page()
    page.goto(reverse("admin:index"))
    expect(page.get_by_role("heading", name="Ihre Bewertungen")).to_be_visible()
    axe(page, label=f"Aufgaben der Gutachter/innen ({page.url})")
