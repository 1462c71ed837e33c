"""A round whose deadline is Friday, 6 March 2020, 23:59:59 Europe/Berlin, and drafts in it."""

from datetime import datetime, timedelta
from smtplib import SMTPException
from zoneinfo import ZoneInfo

import pytest
from django.core.mail.backends.locmem import EmailBackend

from applications.models import Membership
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory

BERLIN = ZoneInfo("Europe/Berlin")
DEADLINE = datetime(2020, 3, 6, 23, 59, 59, tzinfo=BERLIN)


def berlin(day, month=3, hour=0, minute=0, second=0, year=2020):
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


# 00:00 Berlin on the day N calendar days before the deadline's day (6 March).
MOMENTS = {14: berlin(21, 2), 7: berlin(28, 2), 1: berlin(5, 3)}


@pytest.fixture
def reminder_round(db):
    """The reminders' round: deadline Friday, 6 March 2020, 23:59:59 Berlin; reminders 14, 7 and 1 day before."""
    return FundingRoundFactory(
        name="Zweite Runde 2020",
        opens_at=DEADLINE - timedelta(days=60),
        deadline=DEADLINE,
        reminder_offsets=[14, 7, 1],
    )


def draft_with_member(funding_round, **membership):
    member = MembershipFactory(**membership)
    application = ApplicationFactory(funding_round=funding_round, organisation=member.organisation)
    application.member = member.user
    return application


@pytest.fixture
def reminder_draft(reminder_round):
    return draft_with_member(reminder_round)


def add_member(organisation, status=Membership.Status.CONFIRMED, **user):
    return MembershipFactory(organisation=organisation, status=status, **({"user__" + k: v for k, v in user.items()}))


class FlakyBackend(EmailBackend):
    """The locmem backend, but the next ``failures`` sends raise SMTPException (a mail server outage)."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise SMTPException("421 Service not available, closing transmission channel")
        return super().send_messages(messages)


@pytest.fixture
def like_a_worker():
    """Eager tasks that retry like a worker does (immediately, without the countdown).

    With ``task_eager_propagates`` (the project's setting) an eager task raises Celery's
    ``Retry`` instead of retrying; a worker never propagates, it retries.
    """
    from foerderportal.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield app
    app.conf.task_eager_propagates = previous


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = f"{FlakyBackend.__module__}.FlakyBackend"
    FlakyBackend.failures = 0
    FlakyBackend.attempts = 0
    yield FlakyBackend
    FlakyBackend.failures = 0


# --- both uses of the reminder engine (see kinds.py) ---------------------------------


@pytest.fixture(params=["deadline", "report"])
def use(request):
    """Each engine test runs once for the deadline reminders and once for the report reminders."""
    from .kinds import USES

    return USES[request.param](request)
