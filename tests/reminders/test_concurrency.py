"""Two workers at the same moment: still exactly one e-mail per reminder.

Needs PostgreSQL (row locks, concurrent inserts); CI runs the suite against it. Outside CI, on
SQLite, skipped.
"""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from celery._state import _set_task_join_will_block, task_join_will_block
from django.core.mail.backends.locmem import EmailBackend
from django.db import connections

from reminders import services
from reminders.models import Reminder
from reminders.tasks import send_due_reminders

from .conftest import MOMENTS, draft_with_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _restore_celery_join_flag():
    # Eager tasks in two threads race on Celery's process-wide "join would block" flag (saved
    # and restored around each task); left set, every later result.get() in this process fails.
    before = task_join_will_block()
    yield
    _set_task_join_will_block(before)


class SlowBackend(EmailBackend):
    """The locmem backend with a slow mail server, so that concurrent sends overlap."""

    delay = 0.0
    entered = threading.Event()

    def send_messages(self, messages):
        type(self).entered.set()
        time.sleep(type(self).delay)
        return super().send_messages(messages)


@pytest.fixture
def slow_smtp(settings):
    settings.EMAIL_BACKEND = f"{SlowBackend.__module__}.SlowBackend"
    SlowBackend.entered = threading.Event()
    SlowBackend.delay = 0.0
    return SlowBackend


def run_in_threads(*functions):
    """Run the functions in threads that start together; return their results (or exceptions)."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = functions[index]()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(functions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs"
    return results


def test_two_sweeps_at_the_same_moment_send_each_reminder_once(mailoutbox, reminder_round, slow_smtp, monkeypatch):
    slow_smtp.delay = 0.01
    drafts = [draft_with_member(reminder_round) for _ in range(20)]
    # Both sweeps see all 20 candidates before either inserts a claim: the INSERTs race.
    both_computed = threading.Barrier(2)
    seen = []
    original_candidates = services.candidates

    def candidates_then_wait(now):
        due = original_candidates(now)
        seen.append(len(due))
        both_computed.wait(timeout=10)
        return due

    monkeypatch.setattr(services, "candidates", candidates_then_wait)

    with time_machine.travel(MOMENTS[7], tick=False):
        # .result, not .get(): Celery refuses get() while another thread runs an eager task.
        results = run_in_threads(lambda: send_due_reminders.delay().result, lambda: send_due_reminders.delay().result)

    assert seen == [20, 20]
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 20
    assert sorted(m.to[0] for m in mailoutbox) == sorted(d.member.email for d in drafts)
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 20


def test_two_workers_sending_the_same_claim_send_it_once(mailoutbox, reminder_draft, slow_smtp):
    slow_smtp.delay = 0.5
    [reminder_id] = services.claim_due_reminders(MOMENTS[7])

    def send():
        return services.send_reminder(reminder_id=reminder_id, now=MOMENTS[7])

    results = run_in_threads(send, send)

    assert sorted(results) == [False, True]
    assert len(mailoutbox) == 1
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_a_slow_send_is_not_taken_over_as_a_stale_claim(mailoutbox, reminder_draft, slow_smtp):
    slow_smtp.delay = 1.0
    [reminder_id] = services.claim_due_reminders(MOMENTS[7])
    later = MOMENTS[7] + services.CLAIM_TIMEOUT + timedelta(minutes=1)

    def slow_sender():
        return services.send_reminder(reminder_id=reminder_id, now=MOMENTS[7])

    def sweep_while_sending():
        assert slow_smtp.entered.wait(timeout=10)
        claimed = services.claim_due_reminders(later)
        return claimed, [services.send_reminder(reminder_id=pk, now=later) for pk in claimed]

    sent, (claimed, _) = run_in_threads(slow_sender, sweep_while_sending)

    assert sent is True
    assert claimed == []  # the row was locked by the sender: skipped, not re-claimed
    assert len(mailoutbox) == 1
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.SENT, 1)
