"""The time rule and the skip reasons, on their own (no sweep, no e-mail)."""

from datetime import UTC, datetime, timedelta

import pytest

from applications.models import Application, FundingRound, Membership
from reminders.services import SkipReason, due_offsets, reminder_moment, reminder_offsets, skip_reason

from .conftest import BERLIN, DEADLINE, MOMENTS, add_member, berlin, draft_with_member

ONE_SECOND = timedelta(seconds=1)


def make_round(deadline=DEADLINE, offsets=(14, 7, 1), opens_at=None):
    # Unsaved: the time rule needs no database.
    return FundingRound(
        deadline=deadline, opens_at=opens_at or deadline - timedelta(days=60), reminder_offsets=list(offsets)
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (MOMENTS[14] - ONE_SECOND, []),
        (MOMENTS[14], [14]),
        (MOMENTS[7] - ONE_SECOND, [14]),
        (MOMENTS[7], [7]),
        (berlin(4, hour=23, minute=59), [7]),
        (MOMENTS[1], [1]),
        (berlin(6, hour=23, minute=59, second=59), [1]),  # the deadline's last second
        (DEADLINE + ONE_SECOND, []),  # the deadline has passed
        (berlin(1, 4), []),
    ],
)
def test_due_offsets_follow_the_calendar_days_before_the_deadline(now, expected):
    assert due_offsets(make_round(), now) == expected


def test_on_each_reminder_day_days_left_equals_the_offset():
    funding_round = make_round()
    for offset, moment in MOMENTS.items():
        assert reminder_moment(funding_round, offset) == moment
        assert funding_round.days_left(moment) == offset


def test_a_missed_reminder_is_not_sent_next_to_a_newer_one():
    # The portal was down from before the 14-day moment until after the 7-day one.
    assert due_offsets(make_round(), berlin(29, 2, hour=9)) == [7]


def test_nothing_is_due_before_the_round_opens():
    funding_round = make_round(opens_at=berlin(1, 3))
    assert due_offsets(funding_round, berlin(28, 2, hour=12)) == []
    assert due_offsets(funding_round, berlin(1, 3)) == [7]


@pytest.mark.parametrize(
    ("deadline", "offset", "moment_utc"),
    [
        # Summer time begins on 29 March 2020: the day before is still UTC+1 at midnight …
        (datetime(2020, 3, 29, 23, 59, 59, tzinfo=BERLIN), 1, datetime(2020, 3, 27, 23, 0, tzinfo=UTC)),
        # … and a reminder on the day after the switch is due at midnight UTC+2.
        (datetime(2020, 4, 6, 23, 59, 59, tzinfo=BERLIN), 7, datetime(2020, 3, 29, 22, 0, tzinfo=UTC)),
        # Summer time ends at 03:00 on 25 October 2020: that midnight is still UTC+2, the next one UTC+1.
        (datetime(2020, 10, 26, 23, 59, 59, tzinfo=BERLIN), 1, datetime(2020, 10, 24, 22, 0, tzinfo=UTC)),
        (datetime(2020, 10, 27, 23, 59, 59, tzinfo=BERLIN), 1, datetime(2020, 10, 25, 23, 0, tzinfo=UTC)),
    ],
)
def test_reminder_moment_is_local_midnight_across_daylight_saving_switches(deadline, offset, moment_utc):
    assert reminder_moment(make_round(deadline), offset) == moment_utc


def test_offsets_are_cleaned_up():
    assert reminder_offsets(make_round(offsets=[1, 7, "3", -2, 7, 14, True, None, 2.5])) == [14, 7, 1]
    assert reminder_offsets(FundingRound(reminder_offsets=None)) == []
    assert due_offsets(make_round(offsets=[]), MOMENTS[1]) == []


# --- skip_reason ---------------------------------------------------------------


def application_in(status, funding_round=None):
    return Application(status=status, funding_round=funding_round or make_round(), organisation_id=None)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Application.Status.SUBMITTED, SkipReason.SUBMITTED),
        (Application.Status.IN_REVIEW, SkipReason.SUBMITTED),
        (Application.Status.AWARDED, SkipReason.SUBMITTED),
        (Application.Status.REJECTED, SkipReason.SUBMITTED),
        (Application.Status.WAITLISTED, SkipReason.SUBMITTED),
        (Application.Status.WITHDRAWN, SkipReason.WITHDRAWN),
    ],
)
def test_skip_reason_once_the_application_left_the_draft_stage(status, expected):
    assert skip_reason(application_in(status), 7, MOMENTS[7]) == expected


@pytest.mark.parametrize(
    ("offset", "now", "expected"),
    [
        (7, DEADLINE + ONE_SECOND, SkipReason.DEADLINE_PASSED),
        (1, berlin(7, hour=9), SkipReason.DEADLINE_PASSED),
        (7, MOMENTS[7] - ONE_SECOND, SkipReason.NOT_DUE),
        (1, MOMENTS[7], SkipReason.NOT_DUE),
        (3, MOMENTS[1], SkipReason.NOT_DUE),  # not an offset of this round
        (14, MOMENTS[7], SkipReason.SUPERSEDED),
    ],
)
def test_skip_reason_for_the_time_rule(offset, now, expected):
    assert skip_reason(application_in(Application.Status.DRAFT), offset, now) == expected


def test_skip_reason_without_an_application():
    assert skip_reason(None, 7, MOMENTS[7]) == SkipReason.NO_APPLICATION


def test_skip_reason_labels_are_german():
    assert str(SkipReason.SUBMITTED.label) == "Der Antrag ist bereits eingereicht."
    assert str(SkipReason.DEADLINE_PASSED.label) == "Die Antragsfrist ist abgelaufen."


@pytest.mark.django_db
def test_skip_reason_needs_a_confirmed_active_member(reminder_round):
    application = draft_with_member(reminder_round, status=Membership.Status.REQUESTED)
    add_member(application.organisation, status=Membership.Status.REJECTED)
    add_member(application.organisation, is_active=False)
    assert skip_reason(application, 7, MOMENTS[7]) == SkipReason.NO_MEMBERS

    add_member(application.organisation)
    assert skip_reason(application, 7, MOMENTS[7]) is None


@pytest.mark.django_db
def test_skip_reason_none_for_a_due_draft(reminder_draft):
    for offset, moment in MOMENTS.items():
        assert skip_reason(reminder_draft, offset, moment) is None
