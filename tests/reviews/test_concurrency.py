"""Two staff members award at the same moment: the round's places and budget still hold.

Needs PostgreSQL (row locks); CI runs the suite against it. Outside CI, on SQLite, skipped.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connections

from applications.models import Application
from reviews.services import ReviewError, award_application
from tests.conftest import submitted_application
from tests.factories import FundingRoundFactory, make_academy_staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _award_concurrently(applications, staff, amounts):
    barrier = threading.Barrier(len(applications))
    outcomes = [None] * len(applications)

    def run(index):
        try:
            barrier.wait(timeout=10)
            award_application(application=applications[index], by=staff[index], amount=amounts[index])
            outcomes[index] = "awarded"
        except ReviewError as error:
            outcomes[index] = error.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(applications))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_places_cap_holds_under_two_concurrent_awards():
    funding_round = FundingRoundFactory(places=1, budget=Decimal("1000000"), closed=True)
    staff = [make_academy_staff(), make_academy_staff()]
    applications = [submitted_application(funding_round, by=staff[0]) for _ in range(2)]
    outcomes = _award_concurrently(applications, staff, [Decimal("40000"), Decimal("40000")])
    assert sorted(o == "awarded" for o in outcomes) == [False, True]
    # One place: "Der einzige Platz der Förderrunde ist vergeben." (plural: "Alle N Plätze …").
    assert any("Platz der Förderrunde ist vergeben" in o for o in outcomes if o != "awarded")
    assert Application.objects.filter(funding_round=funding_round, status="awarded").count() == 1


def test_budget_cap_holds_under_two_concurrent_awards():
    funding_round = FundingRoundFactory(places=10, budget=Decimal("60000"), closed=True)
    staff = [make_academy_staff(), make_academy_staff()]
    applications = [submitted_application(funding_round, by=staff[0]) for _ in range(2)]
    outcomes = _award_concurrently(applications, staff, [Decimal("40000"), Decimal("40000")])
    assert sorted(o == "awarded" for o in outcomes) == [False, True]
    assert any("Budget" in o for o in outcomes if o != "awarded")
    awarded = Application.objects.filter(funding_round=funding_round, status="awarded")
    assert sum(a.awarded_amount for a in awarded) == Decimal("40000")
