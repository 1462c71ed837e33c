"""Releasing an award creates exactly one facilitation with the right period, budget, plan and reports."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from facilitation import services
from facilitation.models import Facilitation, Milestone, MilestoneTemplate, Report
from reviews.models import Decision
from reviews.services import ReviewError, award_application, reject_application, release_decision
from tests.conftest import submitted_application
from tests.factories import FundingRoundFactory, make_academy_staff

from .conftest import BERLIN, make_facilitation

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2020, 6, 15, 11, 0, tzinfo=BERLIN), tick=False)
def test_releasing_an_award_creates_one_facilitation_with_period_budget_and_lead():
    funding_round = FundingRoundFactory(facilitation_months=24, closed=True)
    staff = make_academy_staff()
    application = submitted_application(funding_round, by=staff)
    award_application(application=application, by=staff, amount=Decimal("38500.00"))

    facilitation = Facilitation.objects.get(application=application)
    assert facilitation.starts_on == date(2020, 7, 1)  # first day of the month after the release
    assert facilitation.ends_on == date(2022, 7, 1)  # + 24 months
    assert facilitation.budget == Decimal("38500.00")
    assert facilitation.status == Facilitation.Status.PLANNED
    assert (facilitation.lead_name, facilitation.lead_email) == ("Max Leitung", "max@kommune.example")
    reports = {r.kind: r.due_on for r in facilitation.reports.all()}
    assert reports == {Report.Kind.INTERIM: date(2021, 7, 1), Report.Kind.FINAL: date(2022, 7, 1)}
    assert facilitation.milestones.count() == len(services.DEFAULT_PLAN)
    assert facilitation.events.filter(action="created").count() == 1


def test_releasing_twice_or_calling_the_service_again_keeps_exactly_one(django_capture_on_commit_callbacks):
    funding_round = FundingRoundFactory(four_eyes=True, closed=True)
    proposer, releaser = make_academy_staff(), make_academy_staff()
    application = submitted_application(funding_round, by=proposer)
    decision = award_application(application=application, by=proposer)
    assert decision.status == Decision.Status.PROPOSED
    assert not Facilitation.objects.filter(application=application).exists()  # a proposal is not an award

    release_decision(decision=decision, by=releaser)
    with pytest.raises(ReviewError):
        release_decision(decision=decision, by=releaser)
    again = services.create_facilitation_for_award(application=application, by=releaser)

    assert Facilitation.objects.filter(application=application).count() == 1
    assert again.pk == Facilitation.objects.get(application=application).pk
    assert Milestone.objects.filter(facilitation=again).count() == len(services.DEFAULT_PLAN)
    assert Report.objects.filter(facilitation=again).count() == 2


def test_a_rejection_creates_no_facilitation():
    funding_round = FundingRoundFactory(closed=True)
    staff = make_academy_staff()
    application = submitted_application(funding_round, by=staff)
    reject_application(application=application, by=staff, reasons="Nicht förderfähig.")
    assert not Facilitation.objects.exists()


def test_only_awarded_applications_get_a_facilitation():
    funding_round = FundingRoundFactory(closed=True)
    staff = make_academy_staff()
    application = submitted_application(funding_round, by=staff)
    with pytest.raises(services.FacilitationError, match="Nur bewilligte"):
        services.create_facilitation_for_award(application=application, by=staff)


def test_the_round_template_is_seeded_once_and_reused(academy):
    funding_round = FundingRoundFactory(facilitation_months=24)
    first = make_facilitation(funding_round, by=academy)
    make_facilitation(funding_round, by=academy)
    assert MilestoneTemplate.objects.filter(funding_round=funding_round).count() == len(services.DEFAULT_PLAN)
    kick_off = first.milestones.get(position=1)
    assert kick_off.due_on == date(2020, 8, 1)  # one month after the start
    closing = first.milestones.order_by("-position").first()
    assert closing.due_on == first.ends_on


def test_a_round_with_its_own_template_uses_it(academy):
    funding_round = FundingRoundFactory(facilitation_months=18)
    MilestoneTemplate.objects.create(funding_round=funding_round, phase="analysis", title="Auftakt", month_offset=2)
    MilestoneTemplate.objects.create(
        funding_round=funding_round, phase="closing", title="Abschluss", month_offset=30, position=2
    )
    facilitation = make_facilitation(funding_round, by=academy)
    assert list(facilitation.milestones.values_list("title", "due_on")) == [
        ("Auftakt", date(2020, 9, 1)),
        ("Abschluss", date(2022, 1, 1)),  # never after the end
    ]
    assert facilitation.reports.get(kind="interim").due_on == date(2021, 4, 1)  # 9 of 18 months


def test_default_plan_scales_with_the_rounds_duration(academy):
    funding_round = FundingRoundFactory(facilitation_months=12)
    templates = services.ensure_milestone_template(funding_round=funding_round)
    assert max(t.month_offset for t in templates) == 12
    assert [t.month_offset for t in templates][:2] == [1, 2]  # 1 × 12/24 rounds half up; 3 × 12/24 = 1.5 → 2


@pytest.mark.parametrize(
    ("released", "start"),
    [
        (date(2020, 6, 15), date(2020, 7, 1)),
        (date(2020, 6, 1), date(2020, 7, 1)),
        (date(2020, 12, 31), date(2021, 1, 1)),
    ],
)
def test_default_start_is_the_first_of_the_next_month(released, start):
    assert services.default_start(released) == start


def test_period_end_uses_calendar_months():
    assert services.period_end(date(2020, 7, 1), 24) == date(2022, 7, 1)
    assert services.period_end(date(2020, 1, 31), 1) == date(2020, 2, 29)  # leap year, clamped
    assert services.period_end(date(2021, 1, 31), 13) == date(2022, 2, 28)
    assert services.interim_due(date(2020, 7, 1), 24) == date(2021, 7, 1)
    assert services.interim_due(date(2020, 7, 1), 15) == date(2021, 2, 14)  # middle day of 1.7.2020–1.10.2021


def test_release_date_is_taken_in_berlin_time(academy):
    # 31 July 2020, 23:30 UTC is already 1 August in Berlin: the period starts on 1 September.
    facilitation = make_facilitation(by=academy, now=datetime(2020, 7, 31, 23, 30, tzinfo=UTC))
    assert facilitation.starts_on == date(2020, 9, 1)


def test_assign_facilitators_allows_one_or_two_active_moderators(academy):
    from .conftest import make_moderator

    facilitation = make_facilitation(by=academy)
    one, two, three = (make_moderator(staff_user=academy) for _ in range(3))
    services.assign_facilitators(facilitation=facilitation, facilitators=[one, two], by=academy)
    assert set(facilitation.facilitators.all()) == {one, two}
    with pytest.raises(services.FacilitationError, match="eine oder zwei"):
        services.assign_facilitators(facilitation=facilitation, facilitators=[one, two, three], by=academy)
    with pytest.raises(services.FacilitationError, match="eine oder zwei"):
        services.assign_facilitators(facilitation=facilitation, facilitators=[], by=academy)
    three.active = False
    three.save()
    with pytest.raises(services.FacilitationError, match="nicht mehr"):
        services.assign_facilitators(facilitation=facilitation, facilitators=[three], by=academy)
    with pytest.raises(services.FacilitationError, match="Akademie"):
        services.assign_facilitators(facilitation=facilitation, facilitators=[one], by=one.user)


def test_reschedule_moves_period_open_milestones_and_report_due_dates(academy, facilitation):
    milestone = facilitation.milestones.get(position=1)
    services.complete_milestone(milestone=milestone, by=academy, done_on=date(2020, 8, 3))
    services.reschedule_facilitation(facilitation=facilitation, starts_on=date(2020, 10, 1), by=academy)
    facilitation.refresh_from_db()
    assert (facilitation.starts_on, facilitation.ends_on) == (date(2020, 10, 1), date(2022, 10, 1))
    assert facilitation.milestones.get(position=1).due_on == date(2020, 8, 1)  # done: stays as it was
    assert facilitation.milestones.get(position=2).due_on == date(2021, 1, 1)
    assert facilitation.reports.get(kind="interim").due_on == date(2021, 10, 1)
    assert facilitation.reports.get(kind="final").due_on == date(2022, 10, 1)
