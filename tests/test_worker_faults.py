"""Faults with real processes: a Celery worker killed with SIGKILL, a broker that lost its queue.

Real worker subprocesses and Redis as in ``tests/test_celery_worker.py`` (whose helpers these
use), PostgreSQL so that the worker sees the test data. Under CI=true they fail without Redis or
PostgreSQL, elsewhere they are skipped. Every wait is bounded; workers are killed in ``finally``.
"""

import os
import signal
import time

import pytest
from django.utils import timezone

from applications.services import submit_application
from letters import reconcile, tasks
from letters.models import Letter
from reviews.services import reject_application
from tests.conftest import complete, submitted_application
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory, make_academy_staff
from tests.test_celery_worker import (  # noqa: F401 - fixtures
    QUEUE,
    _log,
    _mails,
    _start_worker,
    _stop_worker,
    _wait_for,
    postgres_url,
    redis_client,
    tasks_to_redis,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Test-shortened: production waits 15 minutes (settings.CELERY_VISIBILITY_TIMEOUT).
VISIBILITY_TIMEOUT = 8
FAST_RESTORE = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}
LETTERS = 6


def _decided_round(academy):
    funding_round = FundingRoundFactory(closed=True)
    return [submitted_application(funding_round, by=academy) for _ in range(LETTERS)]


def _message_ids(tmp_path):
    return [str(m["Message-ID"]) for m in _mails(tmp_path / "mails")]


def test_letters_held_by_a_killed_worker_are_issued_once_after_restart(tmp_path, postgres_url, redis_client):  # noqa: F811
    academy = make_academy_staff()
    applications = _decided_round(academy)  # their receipts are issued in this process (eager)
    threads = ("--pool=threads", "--concurrency=2")  # two tasks at a time: it holds two when killed

    with tasks_to_redis():
        decisions = [reject_application(application=a, by=academy, reasons="Nicht förderfähig.") for a in applications]
    assert redis_client.llen(QUEUE) == LETTERS

    first, log = _start_worker(tmp_path, postgres_url, pool=threads, **FAST_RESTORE)
    try:
        _wait_for(lambda: redis_client.hlen("unacked") >= 1, first, tmp_path, "a letter task fetched")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        _stop_worker(first, log)
    held = redis_client.hlen("unacked")
    issued_before_restart = Letter.objects.filter(decision__in=decisions).count()
    assert held >= 1, "the killed worker held no task: nothing was tested"

    second, log = _start_worker(tmp_path, postgres_url, pool=threads, **FAST_RESTORE)
    try:
        # Redelivered once the visibility timeout has run out (plus kombu's restore interval).
        _wait_for(
            lambda: Letter.objects.filter(decision__in=decisions, notified_at__isnull=False).count() == LETTERS,
            second,
            tmp_path,
            f"all {LETTERS} letters issued and announced ({held} held by the killed worker, "
            f"{issued_before_restart} issued before the restart)",
        )
    finally:
        _stop_worker(second, log)

    for decision in decisions:
        assert Letter.objects.filter(decision=decision).count() == 1
    assert redis_client.hlen("unacked") == 0 and redis_client.llen(QUEUE) == 0
    announcements = [m for m in _message_ids(tmp_path) if m.startswith("<bescheid.")]
    # Each letter announced; a copy written just before the kill may be sent again, with the same Message-ID.
    assert len(set(announcements)) == LETTERS, _log(tmp_path)


def test_the_reconciling_sweep_repairs_a_broker_that_lost_its_queue(tmp_path, postgres_url, redis_client):  # noqa: F811
    academy = make_academy_staff()
    applications = _decided_round(academy)
    members = [MembershipFactory() for _ in range(3)]
    drafts = [
        complete(ApplicationFactory(funding_round=FundingRoundFactory(), organisation=m.organisation)) for m in members
    ]

    with tasks_to_redis():
        submitted = [
            submit_application(declared=True, application=d, user=m.user) for d, m in zip(drafts, members, strict=True)
        ]
        decisions = [reject_application(application=a, by=academy, reasons="Nicht förderfähig.") for a in applications]
    assert redis_client.llen(QUEUE) == len(submitted) + len(decisions)
    redis_client.delete(QUEUE)  # Redis restarted without persistence: the queued tasks are gone

    process, log = _start_worker(tmp_path, postgres_url)
    try:
        time.sleep(1)
        assert not Letter.objects.filter(decision__in=decisions).exists()
        # One sweep, as beat runs it once the grace period has passed.
        with tasks_to_redis():
            counts = tasks.requeue_missing(timezone.now() + reconcile.GRACE + reconcile.SWEEP_INTERVAL)
        assert counts == {"receipts": len(submitted), "letters": len(decisions), "announcements": 0}

        def all_announced():
            receipts = Letter.objects.filter(application__in=submitted, kind=Letter.Kind.RECEIPT)
            letters = Letter.objects.filter(decision__in=decisions)
            return receipts.filter(notified_at__isnull=False).count() == len(submitted) and letters.filter(
                notified_at__isnull=False
            ).count() == len(decisions)

        _wait_for(all_announced, process, tmp_path, "every missing receipt and letter issued and announced")
        # A second sweep finds nothing; a copy of a task that still turned up would change nothing.
        with tasks_to_redis():
            again = tasks.requeue_missing(timezone.now() + reconcile.GRACE + 2 * reconcile.SWEEP_INTERVAL)
        assert again == {"receipts": 0, "letters": 0, "announcements": 0}
    finally:
        _stop_worker(process, log)

    for application in submitted:
        assert Letter.objects.filter(application=application, kind=Letter.Kind.RECEIPT).count() == 1
    for decision in decisions:
        assert Letter.objects.filter(decision=decision).count() == 1
    message_ids = _message_ids(tmp_path)
    assert len(message_ids) == len(submitted) + len(decisions) == len(set(message_ids))  # each e-mail exactly once
