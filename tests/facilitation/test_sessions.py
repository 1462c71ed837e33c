"""Sessions: cost at booking, the budget as a hard limit, only the facilitation's own moderators (or staff)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from facilitation import services
from facilitation.models import Facilitation, Session

from .conftest import make_facilitation, make_moderator

pytestmark = pytest.mark.django_db


def book(facilitation, by, **values):
    defaults = {"date": date(2020, 9, 10), "format": Session.Format.WORKSHOP, "duration": Decimal(1), "unit": "days"}
    return services.book_session(facilitation=facilitation, by=by, **{**defaults, **values})


@pytest.mark.parametrize(
    ("duration", "unit", "travel", "expected"),
    [
        (Decimal("1"), "days", Decimal("0"), Decimal("1000.00")),
        (Decimal("0.5"), "days", Decimal("42.30"), Decimal("542.30")),
        (Decimal("3"), "hours", Decimal("0"), Decimal("375.00")),  # 3/8 × 1000
        (Decimal("1"), "hours", Decimal("0.01"), Decimal("125.01")),
    ],
)
def test_cost_is_duration_times_daily_rate_plus_travel(facilitation, moderator, duration, unit, travel, expected):
    session = book(facilitation, moderator.user, duration=duration, unit=unit, travel_costs=travel)
    assert session.cost == expected
    assert session.daily_rate == Decimal("1000.00")
    assert Session.objects.get(pk=session.pk).cost == expected  # stored at booking


def test_a_later_rate_change_does_not_change_booked_costs(facilitation, moderator):
    session = book(facilitation, moderator.user)
    moderator.daily_rate = Decimal("2000.00")
    moderator.save()
    assert Session.objects.get(pk=session.pk).cost == Decimal("1000.00")
    assert services.used_budget(facilitation) == Decimal("1000.00")


def test_booking_beyond_the_budget_is_refused_with_the_remaining_amount(academy, moderator):
    facilitation = make_facilitation(by=academy, amount=Decimal("3234.50"), facilitators=[moderator])
    book(facilitation, moderator.user, duration=Decimal(2))  # 2,000.00 used, 1,234.50 left
    with pytest.raises(services.FacilitationError) as refused:
        book(facilitation, moderator.user, duration=Decimal(2))
    assert refused.value.message == "Das Budget reicht nicht: noch 1.234,50 € frei, dieser Einsatz kostet 2.000,00 €."
    assert services.used_budget(facilitation) == Decimal("2000.00")
    # Exactly the rest still fits.
    book(facilitation, moderator.user, duration=Decimal(1), travel_costs=Decimal("234.50"))
    assert services.used_budget(facilitation) == facilitation.budget


def test_a_cancelled_session_frees_its_cost(facilitation, moderator):
    session = book(facilitation, moderator.user, duration=Decimal(5))
    services.cancel_session(session=session, by=moderator.user)
    assert services.used_budget(facilitation) == 0
    with pytest.raises(services.FacilitationError, match="bereits storniert"):
        services.cancel_session(session=session, by=moderator.user)


def test_the_first_session_starts_the_facilitation(facilitation, moderator):
    assert facilitation.status == Facilitation.Status.PLANNED
    book(facilitation, moderator.user)
    facilitation.refresh_from_db()
    assert facilitation.status == Facilitation.Status.RUNNING


def test_only_own_moderators_or_staff_may_book(academy, facilitation, moderator):
    other = make_moderator(staff_user=academy)
    with pytest.raises(services.FacilitationError, match="Nur die Prozessbegleiter/innen"):
        book(facilitation, other.user)
    with pytest.raises(services.FacilitationError, match="Nur die Prozessbegleiter/innen"):
        book(facilitation, facilitation.member)  # municipal staff
    # Staff book for an assigned moderator, not for anyone else.
    assert book(facilitation, academy, facilitator=moderator).facilitator == moderator
    with pytest.raises(services.FacilitationError, match="begleitet diese Prozessbegleitung nicht"):
        book(facilitation, academy, facilitator=other)
    assert Session.objects.filter(facilitation=facilitation).count() == 1


def test_a_moderator_books_only_own_sessions(academy, moderator):
    colleague = make_moderator(staff_user=academy)
    facilitation = make_facilitation(by=academy, facilitators=[moderator, colleague])
    with pytest.raises(services.FacilitationError, match="eigenen Einsätze"):
        book(facilitation, moderator.user, facilitator=colleague)
    session = book(facilitation, colleague.user)
    with pytest.raises(services.FacilitationError, match="eigenen Einsätze"):
        services.cancel_session(session=session, by=moderator.user)


def test_an_inactive_moderator_can_no_longer_book(facilitation, moderator):
    moderator.active = False
    moderator.save()
    with pytest.raises(services.FacilitationError):
        book(facilitation, moderator.user)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"date": date(2020, 6, 30)}, "im Zeitraum der Prozessbegleitung"),
        ({"date": date(2022, 7, 2)}, "im Zeitraum der Prozessbegleitung"),
        ({"duration": Decimal(0)}, "größer als 0"),
        ({"duration": Decimal(6)}, "höchstens 5 Tage"),
        ({"duration": Decimal(13), "unit": "hours"}, "höchstens 12 Stunden"),
        ({"travel_costs": Decimal("-1")}, "nicht negativ"),
        ({"format": "party"}, "Format"),
    ],
)
def test_invalid_sessions_are_refused(facilitation, moderator, values, message):
    with pytest.raises(services.FacilitationError, match=message):
        book(facilitation, moderator.user, **values)


def test_no_bookings_after_the_facilitation_ended(academy, facilitation, moderator):
    services.cancel_facilitation(facilitation=facilitation, by=academy, reason="Kommune steigt aus.")
    with pytest.raises(services.FacilitationError, match="abgebrochen"):
        book(facilitation, moderator.user)


def test_milestones_are_logged_by_own_moderators(academy, facilitation, moderator):
    milestone = facilitation.milestones.get(position=1)
    services.complete_milestone(milestone=milestone, by=moderator.user, done_on=date(2020, 8, 5))
    milestone.refresh_from_db()
    assert milestone.done_on == date(2020, 8, 5)
    assert milestone.done_by == moderator.user
    with pytest.raises(services.FacilitationError):
        services.complete_milestone(milestone=milestone, by=make_moderator(staff_user=academy).user)
    services.reopen_milestone(milestone=milestone, by=academy)
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_a_moderator_books_on_the_page_and_sees_the_budget_message(client, academy, moderator):
    facilitation = make_facilitation(by=academy, amount=Decimal("1500.00"), facilitators=[moderator])
    client.force_login(moderator.user)
    url = reverse("facilitation:book_session", args=[facilitation.pk])
    form = {"date": "2020-09-10", "format": "workshop", "duration": "0,5", "unit": "days", "travel_costs": "12,50"}
    assert client.post(url, {**form, "participants": "12", "notes": "Auftakt"}).status_code == 302
    session = Session.objects.get(facilitation=facilitation)
    assert (session.cost, session.participants, session.notes) == (Decimal("512.50"), 12, "Auftakt")

    response = client.post(url, {**form, "duration": "1"})
    assert response.status_code == 200
    assert "Das Budget reicht nicht: noch 987,50 € frei, dieser Einsatz kostet 1.012,50 €." in response.content.decode()
    assert Session.objects.filter(facilitation=facilitation).count() == 1

    done = reverse("facilitation:milestone", args=[facilitation.pk, facilitation.milestones.first().pk, "erledigt"])
    assert client.post(done, {"done_on": "2020-08-03"}).status_code == 302
    assert facilitation.milestones.first().done_on == date(2020, 8, 3)


def test_session_form_reads_german_hours_and_amounts(academy, moderator):
    from facilitation.forms import SessionForm

    facilitation = make_facilitation(by=academy, facilitators=[moderator])
    data = {"date": "2020-09-10", "format": "workshop", "duration": "12,5", "unit": "hours", "travel_costs": "1.234,50"}
    form = SessionForm(data=data, facilitation=facilitation, choose_facilitator=False)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["duration"], form.cleaned_data["travel_costs"]) == (Decimal("12.5"), Decimal("1234.50"))
