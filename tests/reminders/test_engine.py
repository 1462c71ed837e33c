"""The exactly-once engine, for both its uses (deadline and report reminders): each reminder once,
retries, stuck claims, giving up, skipping. The rules of each kind are tested with the kind."""

from datetime import timedelta

import pytest
import time_machine
from django.core.mail.backends import locmem
from django.db import IntegrityError, transaction

from reminders import engine

pytestmark = pytest.mark.django_db


def sweep_at(use, moment):
    with time_machine.travel(moment, tick=False):
        return use.sweep_task.delay().get()


def test_both_kinds_send_with_the_same_retry_policy_and_time_limits(use):
    from reminders.tasks import SEND_TASK_OPTIONS, SWEEP_TASK_OPTIONS

    for name, value in SEND_TASK_OPTIONS.items():
        assert getattr(use.send_task, name) == value, name
    for name, value in SWEEP_TASK_OPTIONS.items():
        assert getattr(use.sweep_task, name) == value, name


def test_the_task_twice_yields_one_email_each(mailoutbox, use):
    due = [use.make_due() for _ in range(3)]
    assert sweep_at(use, use.due_at) == 3
    assert sweep_at(use, use.due_at) == 0
    assert len(mailoutbox) == 3
    assert sorted(m.to for m in mailoutbox) == sorted(use.recipients(item) for item in due)


def test_the_log_allows_one_row_per_reminder_and_a_second_claim_claims_nothing(use):
    item = use.make_due()
    assert len(use.claim(use.due_at)) == 1
    assert use.claim(use.due_at) == []  # a second sweep claims nothing
    row = use.row(item)
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save(force_insert=True)


def test_an_smtp_failure_is_retried_and_leads_to_one_email(mailoutbox, use, flaky_smtp, like_a_worker):
    item = use.make_due()
    flaky_smtp.failures = 1
    sweep_at(use, use.due_at)
    sweep_at(use, use.due_at + timedelta(minutes=15))

    assert flaky_smtp.attempts == 2  # the task's retry
    assert len(mailoutbox) == 1
    row = use.row(item)
    assert (row.status, row.attempts) == (use.model.Status.SENT, 1)
    assert "SMTPException" in row.last_error


def test_an_smtp_outage_longer_than_the_retries_leaves_the_claim_for_a_later_sweep(
    mailoutbox, use, flaky_smtp, like_a_worker
):
    item = use.make_due()
    flaky_smtp.failures = 1000
    sweep_at(use, use.due_at)
    assert flaky_smtp.attempts == 1 + use.send_task.max_retries
    row = use.row(item)
    assert row.status == use.model.Status.CLAIMED
    assert "421 Service not available" in row.last_error

    flaky_smtp.failures = 0  # the mail server is back
    sweep_at(use, use.due_at + timedelta(minutes=15))  # the claim is not stale yet: nobody takes it over
    assert mailoutbox == []
    sweep_at(use, use.due_at + engine.CLAIM_TIMEOUT + timedelta(minutes=1))
    sweep_at(use, use.due_at + engine.CLAIM_TIMEOUT + timedelta(minutes=15))

    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (use.model.Status.SENT, 2)


def test_in_eager_mode_a_failed_send_does_not_stop_the_sweep(mailoutbox, use, flaky_smtp):
    # The project's eager setting propagates errors: the sweep goes on with the next reminder.
    due = [use.make_due() for _ in range(3)]
    flaky_smtp.failures = 1
    assert sweep_at(use, use.due_at) == 3
    assert len(mailoutbox) == 2
    [waiting] = use.model.objects.filter(status=use.model.Status.CLAIMED)
    assert use.subject(waiting) == due[0]
    sweep_at(use, use.due_at + engine.CLAIM_TIMEOUT + timedelta(minutes=1))
    assert len(mailoutbox) == 3
    assert use.model.objects.filter(status=use.model.Status.SENT).count() == 3


def test_a_stuck_claim_older_than_the_timeout_is_retried(mailoutbox, use):
    # A worker claimed both, then died before sending.
    first, second = use.make_due(), use.make_due()
    old = use.stuck_claim(first, use.due_at)
    recent = use.stuck_claim(second, use.due_at + timedelta(minutes=20))

    sweep_at(use, use.due_at + engine.CLAIM_TIMEOUT + timedelta(minutes=5))

    assert [m.to for m in mailoutbox] == [use.recipients(first)]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.attempts) == (use.model.Status.SENT, 2)
    assert (recent.status, recent.attempts) == (use.model.Status.CLAIMED, 1)

    sweep_at(use, use.due_at + timedelta(minutes=20) + engine.CLAIM_TIMEOUT + timedelta(seconds=1))
    assert len(mailoutbox) == 2
    recent.refresh_from_db()
    assert recent.status == use.model.Status.SENT


def test_a_claim_that_keeps_failing_ends_as_failed_not_silently(mailoutbox, use, caplog):
    row = use.stuck_claim(use.make_due(), use.due_at)
    use.model.objects.filter(pk=row.pk).update(attempts=engine.MAX_ATTEMPTS)
    sweep_at(use, use.due_at + engine.CLAIM_TIMEOUT + timedelta(minutes=1))
    row.refresh_from_db()
    assert row.status == use.model.Status.FAILED
    assert "Gave up" in caplog.text
    assert mailoutbox == []


class WorkerDied(Exception):
    pass


def test_a_crash_between_send_and_confirm_resends_with_the_same_message_id(mailoutbox, use, monkeypatch):
    """The documented worst case: SMTP accepted the message, the worker died before the confirm."""
    item = use.make_due()
    original_send = locmem.EmailBackend.send_messages

    def send_then_die(backend, messages):
        original_send(backend, messages)
        raise WorkerDied

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_then_die)
    with pytest.raises(WorkerDied):
        sweep_at(use, use.due_at)
    monkeypatch.undo()
    assert use.row(item).status == use.model.Status.CLAIMED  # the confirm never happened

    sweep_at(use, use.due_at + timedelta(minutes=15))
    assert len(mailoutbox) == 1  # not yet: the claim might still be in progress
    sweep_at(use, use.due_at + engine.CLAIM_TIMEOUT + timedelta(minutes=1))

    assert len(mailoutbox) == 2
    first, second = (m.message()["Message-ID"] for m in mailoutbox)
    assert first == second == use.message_id(item)
    assert use.row(item).status == use.model.Status.SENT
    sweep_at(use, use.due_at + 2 * engine.CLAIM_TIMEOUT)
    assert len(mailoutbox) == 2


def test_a_claim_that_is_no_longer_due_when_sent_is_skipped_with_its_reason(mailoutbox, use):
    item = use.make_due()
    [row_id] = use.claim(use.due_at)
    now = use.due_at + timedelta(hours=1)
    use.no_longer_due(item, now)

    assert use.send(row_id, now) is False

    row = use.model.objects.get(pk=row_id)
    assert row.status == use.model.Status.SKIPPED
    assert row.last_error == str(use.kind.skip_reason(row, now).label)
    assert mailoutbox == []
    assert use.send(row_id, now) is False


def test_send_is_a_no_op_once_sent(mailoutbox, use):
    item = use.make_due()
    [row_id] = use.claim(use.due_at)
    assert use.send(row_id, use.due_at) is True
    assert use.send(row_id, use.due_at) is False
    use.send_task.delay(row_id)
    assert len(mailoutbox) == 1
    row = use.row(item)
    assert (row.status, row.recipients) == (use.model.Status.SENT, use.recipients(item))
    assert row.sent_at == use.due_at


def test_claimed_rows_are_excluded_from_the_next_candidates(use):
    item = use.make_due()
    assert len(use.kind.candidates(use.due_at)) == 1
    use.claim(use.due_at)
    assert use.kind.candidates(use.due_at) == []
    assert type(item).objects.filter(pk=item.pk).exists()
