"""The deadline: 23:59:59 Europe/Berlin is on time, the next second is late, whatever the clock's offset."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from applications.models import Application
from applications.services import ApplicationError, submit_application
from tests.conftest import complete
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory

BERLIN = ZoneInfo("Europe/Berlin")
SECOND_ROUND_DEADLINE = datetime(2020, 3, 6, 23, 59, 59, tzinfo=BERLIN)


def _complete_application(deadline):
    funding_round = FundingRoundFactory(opens_at=deadline - timedelta(days=60), deadline=deadline)
    membership = MembershipFactory()
    application = complete(ApplicationFactory(funding_round=funding_round, organisation=membership.organisation))
    return application, membership.user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("deadline", "last_second_utc"),
    [
        # 2nd round: winter time, UTC+1
        (SECOND_ROUND_DEADLINE, datetime(2020, 3, 6, 22, 59, 59, tzinfo=UTC)),
        # The day summer time begins (29 March 2020, clocks jump 02:00 → 03:00): UTC+2 at midnight
        (datetime(2020, 3, 29, 23, 59, 59, tzinfo=BERLIN), datetime(2020, 3, 29, 21, 59, 59, tzinfo=UTC)),
        # The day before the switch: still UTC+1 at midnight
        (datetime(2020, 3, 28, 23, 59, 59, tzinfo=BERLIN), datetime(2020, 3, 28, 22, 59, 59, tzinfo=UTC)),
        # The day summer time ends (25 October 2020): UTC+1 again at midnight
        (datetime(2020, 10, 25, 23, 59, 59, tzinfo=BERLIN), datetime(2020, 10, 25, 22, 59, 59, tzinfo=UTC)),
    ],
)
def test_last_second_accepted_next_second_refused(deadline, last_second_utc):
    on_time, user = _complete_application(deadline)
    late, late_user = _complete_application(deadline)

    submitted = submit_application(
        declared=True, application=on_time, user=user, now=last_second_utc + timedelta(milliseconds=999)
    )
    assert submitted.status == Application.Status.SUBMITTED

    with pytest.raises(ApplicationError) as refused:
        submit_application(declared=True, application=late, user=late_user, now=last_second_utc + timedelta(seconds=1))
    assert "abgelaufen" in refused.value.message
    late.refresh_from_db()
    assert late.status == Application.Status.DRAFT
    assert late.reference_number is None


@pytest.mark.django_db
def test_late_submission_message_shows_the_deadline_in_german_local_time():
    application, user = _complete_application(SECOND_ROUND_DEADLINE)
    with pytest.raises(ApplicationError) as refused:
        submit_application(
            declared=True, application=application, user=user, now=datetime(2020, 3, 7, 0, 0, 0, tzinfo=BERLIN)
        )
    assert "Freitag, 6. März 2020, 23:59 Uhr" in refused.value.message


@pytest.mark.django_db
def test_submission_before_the_round_opens_is_refused():
    application, user = _complete_application(SECOND_ROUND_DEADLINE)
    with pytest.raises(ApplicationError, match="erst ab"):
        submit_application(
            declared=True, application=application, user=user, now=SECOND_ROUND_DEADLINE - timedelta(days=61)
        )


@pytest.mark.django_db
def test_late_submission_through_the_view_is_refused_with_the_deadline(client):
    application, user = _complete_application(SECOND_ROUND_DEADLINE)
    client.force_login(user)
    response = client.post(f"/portal/antrag/{application.pk}/einreichen/", follow=True)
    assert response.status_code == 200
    assert "Die Antragsfrist ist am Freitag, 6. März 2020, 23:59 Uhr abgelaufen" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
