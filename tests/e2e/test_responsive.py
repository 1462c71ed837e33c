"""Portal pages from 320 to 1920 px without sideways scrolling; the navigation collapses properly.

The user sees the longest navigation there is: academy staff (Prozessbegleitung, Verwaltung) who is
also a confirmed member of a municipality, with a long e-mail address in the logout button. Each
page × width is screenshotted into the test's tmp dir (attach it when a layout question comes up).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import complete
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    make_academy_staff,
)

from .conftest import log_in, log_in_staff

pytestmark = pytest.mark.browser

WIDTHS = [320, 360, 1280, 1920]

#: Selector of every visible element whose right edge lies beyond the viewport (or that is wider than it).
#: Content inside a box that scrolls on its own (a wide data table in its labelled region, WCAG 1.4.10's
#: exception) is clipped there, not beyond the viewport: only that box itself has to fit.
OVERFLOWING = """() => {
    const width = window.innerWidth;
    const clipped = (el) => {
        for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
            if (getComputedStyle(node).overflowX !== 'visible') return true;
        }
        return false;
    };
    const describe = (el) => {
        let path = [];
        for (let node = el; node && node.nodeType === 1 && path.length < 4; node = node.parentElement) {
            let part = node.tagName.toLowerCase();
            if (node.id) { path.unshift(part + '#' + node.id); break; }
            if (node.classList.length) part += '.' + Array.from(node.classList).slice(0, 2).join('.');
            path.unshift(part);
        }
        return path.join(' > ');
    };
    const offenders = [];
    for (const el of document.body.querySelectorAll('*')) {
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        // Visually hidden text (the skip link, screen-reader hints) is clipped to 1 px on purpose.
        if (box.width <= 1 && box.height <= 1) continue;
        if (clipped(el)) continue;
        if (box.right > width + 0.5 || box.width > width + 0.5) {
            const right = Math.round(box.right);
            offenders.push(`${describe(el)} (right edge ${right} px, width ${Math.round(box.width)} px)`);
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, offenders: offenders.slice(0, 15)};
}"""


OPEN = re.compile(r"\bcollapse show\b")


def menu(page):
    return page.locator("#hauptmenue")


def assert_fits(page, label):
    # Every box that scrolls sideways can be reached and scrolled with the keyboard and has a name.
    scrolling = page.evaluate(
        """() => Array.from(document.querySelectorAll('main *')).filter(
            (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth
        ).map((el) => ({tabindex: el.getAttribute('tabindex'), role: el.getAttribute('role'),
                        named: !!(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))}))"""
    )
    for box in scrolling:
        assert box == {"tabindex": "0", "role": "region", "named": True}, f"{label}: a scrolling box {box}"
    result = page.evaluate(OVERFLOWING)
    assert result["scrollWidth"] <= result["innerWidth"] and not result["offenders"], (
        f"{label}: the page is {result['scrollWidth']} px wide in a {result['innerWidth']} px viewport; "
        "elements beyond its right edge:\n  " + "\n  ".join(result["offenders"])
    )


@pytest.fixture
def longest_nav(transactional_db):
    """Academy staff and confirmed member of Esslingen am Neckar, with a draft application."""
    user = make_academy_staff(
        email="verena.mustermann-integrationsbeauftragte@landratsamt-esslingen.example",
        first_name="Verena",
        last_name="Mustermann",
    )
    organisation = OrganisationFactory(name="Esslingen am Neckar")
    MembershipFactory(user=user, organisation=organisation)
    draft = complete(ApplicationFactory(funding_round=FundingRoundFactory(), organisation=organisation))
    return user, draft


def pages(draft):
    return {
        "start": reverse("home"),
        "dashboard": reverse("applications:dashboard"),
        "section": reverse("applications:section", args=[draft.pk, "contact"]),
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_portal_pages_fit_the_viewport_with_the_longest_navigation(
    width, new_context, live_server, longest_nav, tmp_path
):
    user, draft = longest_nav
    context = new_context(viewport={"width": width, "height": 900})
    log_in(context, live_server, user)
    page = context.new_page()
    for name, url in pages(draft).items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.screenshot(path=tmp_path / f"{name}-{width}.png", full_page=True)
        assert_fits(page, f"{name} at {width} px")

        navigation = page.get_by_role("navigation", name="Hauptnavigation")
        logout = navigation.get_by_role("button", name="Abmelden")
        toggler = navigation.get_by_role("button", name="Menü umschalten")
        if width >= 992:
            # Expanded: every entry, the logout button included, is visible and inside the viewport.
            expect(toggler).to_be_hidden()
            for entry in ["Meine Anträge", "Mitglieder", "Prozessbegleitung", "Verwaltung", "Passwort ändern"]:
                expect(navigation.get_by_role("link", name=entry)).to_be_in_viewport(ratio=1)
            expect(logout).to_be_in_viewport(ratio=1)
        else:
            # Collapsed; opened, the menu fits too.
            expect(logout).to_be_hidden()
            toggler.click()
            expect(logout).to_be_visible()
            expect(menu(page)).to_have_class(OPEN)  # Bootstrap ignores a click while it animates
            page.screenshot(path=tmp_path / f"{name}-{width}-menu.png", full_page=True)
            assert_fits(page, f"{name} at {width} px with the menu open")
            toggler.click()
            expect(logout).to_be_hidden()


def test_collapsed_menu_opens_and_is_walked_with_the_keyboard(new_context, live_server, longest_nav):
    user, draft = longest_nav
    context = new_context(viewport={"width": 360, "height": 740})
    log_in(context, live_server, user)
    page = context.new_page()
    page.goto(reverse("applications:dashboard"))
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    toggler = navigation.get_by_role("button", name="Menü umschalten")

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the wordmark
    page.keyboard.press("Tab")
    expect(toggler).to_be_focused()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu(page)).to_have_class(OPEN)
    page.keyboard.press("Tab")
    expect(navigation.get_by_role("link", name="Meine Anträge")).to_be_focused()
    for _ in range(5):
        page.keyboard.press("Tab")
    expect(navigation.get_by_role("button", name="Abmelden")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(toggler).to_be_focused()
    page.keyboard.press(" ")
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(navigation.get_by_role("link", name="Meine Anträge")).to_be_hidden()


def test_without_javascript_the_narrow_menu_is_shown_open(new_context, live_server, longest_nav):
    user, draft = longest_nav
    context = new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    log_in(context, live_server, user)
    page = context.new_page()
    page.goto(reverse("applications:dashboard"))
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    expect(navigation.get_by_role("button", name="Menü umschalten")).to_be_hidden()  # it would do nothing
    expect(navigation.get_by_role("link", name="Verwaltung")).to_be_visible()
    expect(navigation.get_by_role("button", name="Abmelden")).to_be_visible()
    assert_fits(page, "dashboard at 360 px without JavaScript")


def test_admin_ranking_fits_1280_px_and_its_table_scrolls_in_a_labelled_region(
    new_context, live_server, transactional_db
):
    from decimal import Decimal

    from django.utils import timezone

    from reviews.models import Review
    from tests.conftest import submitted_application
    from tests.factories import make_reviewer

    academy = make_academy_staff()
    funding_round = FundingRoundFactory(name="Ausschreibung 2020", places=2, closed=True)
    reviewer = make_reviewer()
    names = ["Bietigheim-Bissingen", "Leinfelden-Echterdingen", "Verwaltungsgemeinschaft Rottenburg am Neckar"]
    for n, name in enumerate(names):
        application = submitted_application(funding_round, by=academy, organisation_name=name)
        Review.objects.create(
            application=application,
            reviewer=reviewer,
            assigned_by=academy,
            status=Review.Status.FINISHED,
            total=Decimal(70 - n),
            finished_at=timezone.now(),
        )
    context = new_context(viewport={"width": 1280, "height": 900})
    log_in_staff(context, live_server, academy)
    page = context.new_page()
    page.goto(reverse("admin:applications_fundinground_ranking", args=[funding_round.pk]))
    expect(page.locator("table.ranking-table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    region = page.get_by_role("region", name="Rangliste Ausschreibung 2020")
    expect(region).to_have_attribute("tabindex", "0")
    # Wide or not, the table never reaches past its region (which scrolls when it must).
    right_edge = page.evaluate("document.querySelector('.table-scroll').getBoundingClientRect().right")
    assert right_edge <= 1280
