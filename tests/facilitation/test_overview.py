"""The academy's overview: budget figures, next open milestone, overdue reports; sortable; CSV; flat query count."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from facilitation import services

from .conftest import BERLIN, make_facilitation, make_moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(academy, moderator):
    """Achern: 10,000 € used of 40,000 €, interim report overdue. Zell: untouched, interim accepted."""
    first = make_facilitation(by=academy, facilitators=[moderator])
    first.application.organisation.name = "Achern"
    first.application.organisation.save()
    services.book_session(
        facilitation=first, by=moderator.user, date=date(2020, 9, 1), format="workshop", duration=Decimal(5)
    )
    services.book_session(
        facilitation=first, by=moderator.user, date=date(2020, 10, 1), format="event", duration=Decimal(5)
    )
    services.complete_milestone(milestone=first.milestones.get(position=1), by=moderator.user, done_on=date(2020, 8, 1))
    second = make_facilitation(by=academy, facilitators=[moderator])
    second.application.organisation.name = "Zell am Harmersbach"
    second.application.organisation.save()
    interim = second.reports.get(kind="interim")
    services.submit_report(report=interim, by=second.member, text="Bericht")
    services.accept_report(report=interim, by=academy)
    return first, second


@time_machine.travel(datetime(2021, 8, 1, 10, tzinfo=BERLIN), tick=False)
def test_overdue_reports_and_budget_appear_on_the_staff_overview(client, academy, two):
    client.force_login(academy)
    response = client.get(reverse("facilitation:overview"))
    assert response.status_code == 200
    rows = {row.application.organisation.name: row for row in response.context["rows"]}
    achern, zell = rows["Achern"], rows["Zell am Harmersbach"]
    assert (achern.used, achern.remaining, round(achern.used_percent, 1)) == (
        Decimal("10000.00"),
        Decimal("30000.00"),
        25.0,
    )
    assert achern.overdue_reports == 1 and zell.overdue_reports == 0
    assert achern.next_milestone_due == date(2020, 10, 1)  # the kick-off is done; the stocktaking is next
    assert zell.next_milestone_due == date(2020, 8, 1)
    page = response.content.decode()
    assert "1 überfällig" in page and "10.000,00 €" in page and "25,0 %" in page


@time_machine.travel(datetime(2021, 8, 1, 10, tzinfo=BERLIN), tick=False)
def test_overview_sorts_and_exports(client, academy, two):
    client.force_login(academy)
    by_used = client.get(reverse("facilitation:overview"), {"sortierung": "-used"}).context["rows"]
    assert [r.application.organisation.name for r in by_used] == ["Achern", "Zell am Harmersbach"]
    by_remaining = client.get(reverse("facilitation:overview"), {"sortierung": "-remaining"}).context["rows"]
    assert [r.application.organisation.name for r in by_remaining] == ["Zell am Harmersbach", "Achern"]
    by_overdue = client.get(reverse("facilitation:overview"), {"sortierung": "overdue"}).context["rows"]
    assert [r.application.organisation.name for r in by_overdue] == ["Zell am Harmersbach", "Achern"]
    assert client.get(reverse("facilitation:overview"), {"sortierung": "kaputt"}).status_code == 200

    response = client.get(reverse("facilitation:overview_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, achern = rows[0], rows[1]
    assert header[0] == "Organisation" and "überfällige Berichte" in header
    assert achern[0] == "Achern"
    assert achern[header.index("verbraucht (EUR)")] == "10000,00"
    assert achern[header.index("frei (EUR)")] == "30000,00"
    assert achern[header.index("überfällige Berichte")] == "1"


def _facilitations(count, academy):
    moderators = [make_moderator(staff_user=academy) for _ in range(2)]
    for index in range(count):
        facilitation = make_facilitation(by=academy, facilitators=moderators[: 1 + index % 2])
        services.book_session(
            facilitation=facilitation,
            by=academy,
            facilitator=moderators[0],
            date=date(2020, 9, 1),
            format="workshop",
            duration=Decimal(1),
        )


@pytest.mark.parametrize(
    "url", ["facilitation:overview", "facilitation:overview_csv", "admin:facilitation_facilitation_changelist"]
)
def test_overview_query_count_does_not_grow_with_facilitations(client, academy, django_assert_max_num_queries, url):
    client.force_login(academy)
    _facilitations(3, academy)
    with django_assert_max_num_queries(30) as few:
        assert client.get(reverse(url)).status_code == 200
    _facilitations(9, academy)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(url))
    assert response.status_code == 200
    if url == "facilitation:overview":
        assert len(response.context["rows"]) == 12
