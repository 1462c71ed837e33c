"""Deadline reminders: each offset once, only for drafts, to confirmed members; what a sweep and a send cost.

The engine's guarantees for both kinds of reminder (retries, stuck claims, giving up) are in
``test_engine.py``."""

from datetime import timedelta

import pytest
import time_machine

from applications.models import Application, Membership
from applications.services import submit_application, withdraw_application
from reminders import services
from reminders.models import Reminder
from reminders.tasks import send_due_reminders
from tests.conftest import complete
from tests.factories import FundingRoundFactory

from .conftest import DEADLINE, MOMENTS, add_member, berlin, draft_with_member

pytestmark = pytest.mark.django_db


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return send_due_reminders.delay().get()


def offsets_sent(application):
    return sorted(
        Reminder.objects.filter(organisation=application.organisation, status=Reminder.Status.SENT).values_list(
            "offset_days", flat=True
        )
    )


@pytest.mark.parametrize("offset", [14, 7, 1])
def test_each_offset_fires_once_on_its_day(mailoutbox, reminder_draft, offset):
    moment = MOMENTS[offset]
    assert sweep_at(moment - timedelta(seconds=1)) == (0 if offset == 14 else 1)
    mailoutbox.clear()

    sweep_at(moment)
    sweep_at(moment + timedelta(minutes=15))  # the next beat tick
    sweep_at(moment + timedelta(hours=20))

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [reminder_draft.member.email]
    reminder = Reminder.objects.get(organisation=reminder_draft.organisation, offset_days=offset)
    assert reminder.status == Reminder.Status.SENT
    assert reminder.application == reminder_draft
    assert reminder.recipients == [reminder_draft.member.email]
    assert reminder.attempts == 1


def test_timeline_three_reminders_for_a_draft_and_none_for_the_others(mailoutbox, reminder_round):
    draft = draft_with_member(reminder_round)
    submitted = complete(draft_with_member(reminder_round))
    withdrawn = draft_with_member(reminder_round)
    unconfirmed = draft_with_member(reminder_round, status=Membership.Status.REQUESTED)
    submit_application(declared=True, application=submitted, user=submitted.member, now=berlin(20, 2))
    withdraw_application(application=withdrawn, user=withdrawn.member, now=berlin(20, 2))

    # Every 15 minutes around each reminder day, twice per tick (beat fired twice).
    for moment in MOMENTS.values():
        for minutes in (-15, 0, 0, 15, 15, 600):
            sweep_at(moment + timedelta(minutes=minutes))
    sweep_at(DEADLINE - timedelta(minutes=1))
    sweep_at(DEADLINE + timedelta(seconds=1))
    sweep_at(DEADLINE + timedelta(days=1))

    assert offsets_sent(draft) == [1, 7, 14]
    assert len(mailoutbox) == 3
    assert {m.to[0] for m in mailoutbox} == {draft.member.email}
    for other in (submitted, withdrawn, unconfirmed):
        assert not Reminder.objects.filter(organisation=other.organisation).exists()


def test_no_reminder_after_the_deadline(mailoutbox, reminder_draft):
    sweep_at(DEADLINE + timedelta(seconds=1))
    sweep_at(DEADLINE + timedelta(days=3))
    assert mailoutbox == []
    assert not Reminder.objects.exists()


def test_submission_and_withdrawal_stop_further_reminders(mailoutbox, reminder_round):
    to_submit = complete(draft_with_member(reminder_round))
    to_withdraw = draft_with_member(reminder_round)
    sweep_at(MOMENTS[14])
    assert len(mailoutbox) == 2

    submit_application(declared=True, application=to_submit, user=to_submit.member, now=MOMENTS[14] + timedelta(days=1))
    withdraw_application(application=to_withdraw, user=to_withdraw.member, now=MOMENTS[14] + timedelta(days=1))
    sweep_at(MOMENTS[7])
    sweep_at(MOMENTS[1])
    assert len(mailoutbox) == 2
    assert offsets_sent(to_submit) == offsets_sent(to_withdraw) == [14]


def test_only_confirmed_active_members_receive_it(mailoutbox, reminder_draft):
    organisation = reminder_draft.organisation
    colleague = add_member(organisation, email="kollegin@kommune.example").user
    add_member(organisation, status=Membership.Status.REQUESTED, email="angefragt@kommune.example")
    add_member(organisation, status=Membership.Status.REJECTED, email="abgelehnt@kommune.example")
    add_member(organisation, is_active=False, email="ausgeschieden@kommune.example")
    draft_with_member(FundingRoundFactory(), user__email="andere-kommune@kommune.example")

    sweep_at(MOMENTS[7])

    assert len(mailoutbox) == 1  # one message, one Message-ID, to all confirmed members
    assert sorted(mailoutbox[0].to) == sorted([reminder_draft.member.email, colleague.email])


def test_a_draft_whose_organisation_has_no_confirmed_member_gets_none(mailoutbox, reminder_round):
    application = draft_with_member(reminder_round, status=Membership.Status.REQUESTED)
    sweep_at(MOMENTS[7])
    assert mailoutbox == []
    # Confirmed later the same day: the next tick sends the 7-day reminder.
    Membership.objects.filter(organisation=application.organisation).update(status=Membership.Status.CONFIRMED)
    sweep_at(MOMENTS[7] + timedelta(hours=3))
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("change", ["submit", "withdraw", "deadline"])
def test_a_claim_is_skipped_when_things_changed_before_it_was_sent(mailoutbox, reminder_round, change):
    application = complete(draft_with_member(reminder_round))
    [reminder_id] = services.claim_due_reminders(MOMENTS[1])
    now = MOMENTS[1] + timedelta(hours=1)
    if change == "submit":
        submit_application(declared=True, application=application, user=application.member, now=now)
    elif change == "withdraw":
        withdraw_application(application=application, user=application.member, now=now)
    else:
        now = DEADLINE + timedelta(seconds=1)

    assert services.send_reminder(reminder_id=reminder_id, now=now) is False

    reminder = Reminder.objects.get(pk=reminder_id)
    assert reminder.status == Reminder.Status.SKIPPED
    assert reminder.last_error
    assert mailoutbox == []
    assert services.send_reminder(reminder_id=reminder_id, now=now) is False


def test_candidates_take_a_few_queries_not_one_per_draft(django_assert_num_queries, reminder_round):
    other_round = FundingRoundFactory(opens_at=reminder_round.opens_at, deadline=DEADLINE + timedelta(days=7))
    FundingRoundFactory(opens_at=DEADLINE + timedelta(days=30), deadline=DEADLINE + timedelta(days=90))
    for _ in range(12):
        draft_with_member(reminder_round)
        draft_with_member(other_round)
    draft_with_member(reminder_round, status=Membership.Status.REQUESTED)

    with django_assert_num_queries(3):  # the open rounds, then one per (round, due offset)
        due = services.candidates(MOMENTS[7])
    assert len(due) == 24
    assert {(c.application.funding_round_id, c.offset_days) for c in due} == {
        (reminder_round.pk, 7),
        (other_round.pk, 14),
    }
    with django_assert_num_queries(3):
        assert all(c.application.organisation.name and c.application.funding_round.name for c in due)
        services.candidates(MOMENTS[7])


def test_claimed_rows_are_excluded_from_the_next_candidates(reminder_round):
    draft_with_member(reminder_round)
    assert len(services.candidates(MOMENTS[7])) == 1
    services.claim_due_reminders(MOMENTS[7])
    assert services.candidates(MOMENTS[7]) == []
    assert Application.objects.count() == 1


@pytest.mark.parametrize("colleagues", [0, 5])
def test_one_send_takes_a_fixed_number_of_queries(django_assert_num_queries, reminder_draft, colleagues):
    for _ in range(colleagues):
        add_member(reminder_draft.organisation)
    [reminder_id] = services.claim_due_reminders(MOMENTS[7])
    # lock + load, members?, recipients, attachments (checklist), confirm; plus the savepoint pair;
    # the delivery log: its savepoint pair, insert, lock, update (one each, whatever the number of recipients)
    with django_assert_num_queries(12):
        assert services.send_reminder(reminder_id=reminder_id, now=MOMENTS[7]) is True
