"""The time rules of the notification (pure functions, no database, no clock)."""

import datetime

import pytest

from letters import deadlines
from letters.notification import State, notification_of

BERLIN = deadlines.BERLIN
D = datetime.date


def berlin(*args):
    return datetime.datetime(*args, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("notified", "ends", "why"),
    [
        (D(2026, 3, 10), D(2026, 4, 10), "same number in the next month (a Friday)"),
        (D(2026, 1, 15), D(2026, 2, 16), "15 February 2026 is a Sunday"),
        (D(2026, 1, 31), D(2026, 3, 2), "no 31 February: 28 February 2026 is a Saturday"),
        (D(2028, 1, 31), D(2028, 2, 29), "leap year: 29 February 2028, a Tuesday"),
        (D(2027, 1, 31), D(2027, 3, 1), "28 February 2027 is a Sunday"),
        (D(2026, 3, 31), D(2026, 4, 30), "no 31 April: the month's last day"),
        (D(2025, 12, 6), D(2026, 1, 7), "year change onto Epiphany (6 January, a Tuesday)"),
        (D(2026, 12, 15), D(2027, 1, 15), "year change, a Friday"),
        (D(2026, 5, 4), D(2026, 6, 5), "Corpus Christi 2026 (4 June) is a holiday in BW"),
        (D(2027, 10, 1), D(2027, 11, 2), "All Saints' Day 2027 (1 November, a Monday)"),
        (D(2026, 11, 25), D(2026, 12, 28), "Christmas Day, Boxing Day and a Sunday"),
        (D(2026, 3, 3), D(2026, 4, 7), "Good Friday, the weekend and Easter Monday"),
        (D(2026, 9, 3), D(2026, 10, 5), "German Unity Day 2026 is a Saturday"),
    ],
)
def test_remedy_period_end(notified, ends, why):
    assert deadlines.remedy_period_end(notified) == ends, why


def test_remedy_period_does_not_use_holidays_of_other_states():
    # Reformation Day (31 October) is a holiday in other states, not in Baden-Württemberg.
    assert deadlines.remedy_period_end(D(2025, 9, 30)) == D(2025, 10, 30)
    assert deadlines.is_working_day(D(2025, 10, 31))
    assert not deadlines.is_working_day(D(2026, 1, 6))


@pytest.mark.parametrize(
    ("first_download", "notified_on"),
    [
        (berlin(2026, 1, 14, 9, 0), D(2026, 1, 15)),
        (berlin(2026, 1, 14, 23, 59), D(2026, 1, 15)),
        # 23:30 UTC on 14 January is already 15 January in Berlin.
        (datetime.datetime(2026, 1, 14, 23, 30, tzinfo=datetime.UTC), D(2026, 1, 16)),
        # Summer time: 22:30 UTC on 30 June is 00:30 on 1 July in Berlin.
        (datetime.datetime(2026, 6, 30, 22, 30, tzinfo=datetime.UTC), D(2026, 7, 2)),
        (berlin(2026, 12, 31, 12, 0), D(2027, 1, 1)),
    ],
)
def test_notified_on_is_the_day_after_the_first_download_in_berlin(first_download, notified_on):
    assert deadlines.notified_on(first_download) == notified_on


def test_provision_holds_ten_days_after_the_email():
    emailed = berlin(2026, 3, 1, 10, 0)
    assert deadlines.provision_last_day(emailed) == D(2026, 3, 11)
    assert not deadlines.provision_ended(notified_at=emailed, today=D(2026, 3, 11))  # day 10: still provided
    assert deadlines.provision_ended(notified_at=emailed, today=D(2026, 3, 12))
    assert deadlines.download_notifies(notified_at=emailed, downloaded_at=berlin(2026, 3, 11, 23, 59))
    assert not deadlines.download_notifies(notified_at=emailed, downloaded_at=berlin(2026, 3, 12, 0, 1))
    # Nothing ends before the e-mail went out.
    assert not deadlines.provision_ended(notified_at=None, today=D(2030, 1, 1))


def _state(**facts):
    values = {
        "kind": "award",
        "postal_dispatch": False,
        "notified_at": berlin(2026, 3, 1, 10, 0),
        "first_download_at": None,
        "other_notified_on": None,
        "today": D(2026, 3, 5),
    }
    return notification_of(**{**values, **facts})


def test_notification_states():
    assert _state(kind="receipt").state == State.NOT_APPLICABLE
    assert _state(kind="waitlist").state == State.NOT_APPLICABLE
    assert _state(notified_at=None).state == State.AWAITING_EMAIL
    provided = _state(today=D(2026, 3, 11))
    assert provided.state == State.PROVIDED and provided.provision_last_day == D(2026, 3, 11)
    assert not provided.needs_other_way and provided.notified_on is None
    fallback = _state(today=D(2026, 3, 12))
    assert fallback.state == State.FALLBACK and fallback.needs_other_way
    assert str(fallback.state.label) == "nicht abgerufen – auf anderem Weg bekanntgeben"
    postal = _state(postal_dispatch=True)
    assert postal.state == State.POSTAL and postal.needs_other_way
    assert str(postal.state.label) == "per Post bekanntgeben"
    downloaded = _state(first_download_at=berlin(2026, 3, 4, 8, 0), today=D(2026, 4, 1))
    assert downloaded.state == State.DOWNLOADED
    assert downloaded.notified_on == D(2026, 3, 5)
    assert downloaded.remedy_period_ends_on == D(2026, 4, 7)  # 5 April is Easter Sunday, 6 April Easter Monday
    assert downloaded.applicant_text == "abgerufen am 4. März 2026, bekannt gegeben am 5. März 2026"
    other = _state(other_notified_on=D(2026, 3, 16), today=D(2026, 3, 20))
    assert other.state == State.OTHER_WAY and other.notified_on == D(2026, 3, 16)
    assert other.remedy_period_ends_on == D(2026, 4, 16)
