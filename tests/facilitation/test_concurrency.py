"""Two bookings at the same moment cannot overrun the budget (the facilitation row is locked).

Needs PostgreSQL (row locks); CI runs the suite against it. Outside CI, on SQLite, skipped.
"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connections

from facilitation import services
from facilitation.models import Session
from tests.factories import make_academy_staff

from .conftest import make_facilitation, make_moderator

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_bookings_cannot_overrun_the_budget():
    staff = make_academy_staff()
    first, second = make_moderator(staff_user=staff), make_moderator(staff_user=staff)
    facilitation = make_facilitation(by=staff, amount=Decimal("10000.00"), facilitators=[first, second])
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index, moderator):
        try:
            barrier.wait(timeout=10)
            services.book_session(
                facilitation=facilitation,
                by=moderator.user,
                date=date(2020, 9, 1),
                format=Session.Format.WORKSHOP,
                duration=Decimal(4),
                unit=Session.Unit.DAYS,
                travel_costs=Decimal("1500.00"),
            )  # 5,500.00 each: one fits, two do not
            outcomes[index] = "booked"
        except services.FacilitationError as error:
            outcomes[index] = error.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, m)) for i, m in enumerate([first, second])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(o == "booked" for o in outcomes) == [False, True]
    refused = next(o for o in outcomes if o != "booked")
    assert refused == "Das Budget reicht nicht: noch 4.500,00 € frei, dieser Einsatz kostet 5.500,00 €."
    assert services.used_budget(facilitation) == Decimal("5500.00")
    assert Session.objects.filter(facilitation=facilitation).count() == 1
