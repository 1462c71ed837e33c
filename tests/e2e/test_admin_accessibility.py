"""axe-core scan of the admin pages this project adds, with realistic data, as the staff who use them.

Ranking, decision (the box on the application), its confirmation page, the task page "Aufgaben",
the facilitation overview, the criteria of a round (a tabular inline) and the milestone templates
(inline-editable list). A failure names each serious or critical violation with its selectors.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from applications.models import Application, FundingRound, Organisation
from facilitation import services as facilitation_services
from reviews.models import Criterion, Review
from tests.conftest import submitted_application
from tests.facilitation.conftest import make_facilitation, make_moderator
from tests.factories import FundingRoundFactory, OrganisationFactory, make_academy_staff, make_reviewer

from .conftest import log_in_staff

pytestmark = pytest.mark.browser


@dataclass
class AdminWorld:
    academy: User
    funding_round: FundingRound
    next_round: FundingRound
    undecided: Application
    organisation: Organisation


@pytest.fixture
def admin_world(transactional_db):
    """A closed round with three criteria, four applications with finished reviews (one still
    undecided), two running facilitations and the round's milestone templates."""
    academy = make_academy_staff(email="akademie@fa.example", first_name="Anna", last_name="Akademie")
    funding_round = FundingRoundFactory(name="Ausschreibung 2020", code="IE2020", places=3, closed=True)
    funding_round.budget = funding_round.max_per_package * 3
    funding_round.save()
    # The next round's criteria are still editable (no review has started there).
    next_round = FundingRoundFactory(name="Ausschreibung 2021", code="IE2021")
    for each_round in (funding_round, next_round):
        Criterion.objects.create(funding_round=each_round, position=1, title="Bedarf", weight=3, max_points=10)
        Criterion.objects.create(funding_round=each_round, position=2, title="Beteiligung", weight=2, max_points=10)
        Criterion.objects.create(
            funding_round=each_round, position=3, title="Nachhaltigkeit", weight=Decimal("1.5"), max_points=5
        )
    reviewers = [make_reviewer(first_name=f"Gutachter{n}") for n in range(2)]
    applications = []
    for n, name in enumerate(["Esslingen am Neckar", "Reutlingen", "Salach", "Altdorf"]):
        application = submitted_application(funding_round, by=academy, organisation_name=name)
        for reviewer in reviewers:
            Review.objects.create(
                application=application,
                reviewer=reviewer,
                assigned_by=academy,
                status=Review.Status.FINISHED,
                total=Decimal(60 + 5 * n),
                finished_at=timezone.now(),
            )
        applications.append(application)
    facilitation_services.ensure_milestone_template(funding_round=funding_round)
    moderator = make_moderator(staff_user=academy, email="moderation@fa.example")
    for _ in range(2):
        make_facilitation(funding_round, by=academy, facilitators=[moderator])
    return AdminWorld(academy, funding_round, next_round, applications[0], OrganisationFactory(name="Bietigheim"))


def _scan(axe, page, label, failures):
    """Scan and note a failure, so that one run reports every page's violations."""
    expect(page.locator("#content h1, #content h2").first).to_be_visible()
    try:
        axe(page, label=f"{label} ({page.url})")
    except pytest.fail.Exception as failure:
        failures.append(str(failure))


def test_admin_pages_of_the_portal_have_no_serious_wcag_violations(new_context, live_server, axe, admin_world):
    context = new_context()
    log_in_staff(context, live_server, admin_world.academy)
    page = context.new_page()
    round_pk = admin_world.funding_round.pk
    failures = []

    page.goto(reverse("admin:index"))
    expect(page.get_by_role("heading", name="Aufgaben", exact=True)).to_be_visible()
    _scan(axe, page, "Aufgaben", failures)

    page.goto(reverse("admin:applications_fundinground_ranking", args=[round_pk]))
    expect(page.locator("table.ranking-table")).to_be_visible()
    _scan(axe, page, "ranking", failures)

    page.goto(reverse("admin:applications_fundinground_change", args=[admin_world.next_round.pk]))
    expect(page.locator("input[name$='-weight']").first).to_be_visible()  # the criteria, editable inline
    _scan(axe, page, "round with its criteria", failures)

    page.goto(reverse("admin:applications_application_change", args=[admin_world.undecided.pk]))
    expect(page.get_by_role("heading", name="Entscheidung")).to_be_visible()
    _scan(axe, page, "decision", failures)

    page.get_by_role("button", name="Bewilligen").click()
    expect(page.locator("input[name=confirmation]")).to_be_attached()
    _scan(axe, page, "confirmation of the decision", failures)

    page.goto(reverse("admin:facilitation_facilitation_changelist"))
    expect(page.locator("#result_list")).to_be_visible()
    _scan(axe, page, "facilitation overview", failures)

    page.goto(reverse("admin:facilitation_milestonetemplate_changelist"))
    expect(page.locator("input[name$='-month_offset']").first).to_be_visible()  # inline-editable list
    _scan(axe, page, "milestone templates", failures)

    assert not failures, "\n\n".join(failures)


def test_inline_inputs_and_the_autocomplete_have_accessible_names(new_context, live_server, axe, admin_world):
    context = new_context()
    log_in_staff(context, live_server, admin_world.academy)
    page = context.new_page()

    page.goto(reverse("admin:facilitation_milestonetemplate_changelist"))
    first = admin_world.funding_round.milestone_templates.order_by("position", "pk").first()
    expect(page.get_by_role("spinbutton", name=f"Fällig nach Monaten: {first.title}")).to_be_visible()

    page.goto(reverse("admin:applications_fundinground_change", args=[admin_world.next_round.pk]))
    expect(page.get_by_role("spinbutton", name="Gewicht: Bedarf")).to_be_visible()

    # The autocomplete of a membership names its field, and its search box too once it is open.
    page.goto(reverse("admin:applications_membership_add"))
    combobox = page.get_by_role("combobox", name="Organisation")
    expect(combobox).to_be_visible()
    combobox.click()
    search = page.get_by_role("searchbox", name="Organisation suchen")
    expect(search).to_be_visible()
    search.fill("Bietig")
    expect(page.get_by_role("option", name="Bietigheim")).to_be_visible()
    axe(page, label=f"membership with the autocomplete open ({page.url})")
