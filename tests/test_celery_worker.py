"""A real Celery worker process, a real Redis broker, the test database: tasks run end to end.

The test process sends tasks to Redis (not eagerly); a worker started with
``python -m celery -A foerderportal worker`` picks them up and writes to the pytest test
database (PostgreSQL, committed by ``transactional_db``) and its e-mails to a folder.
Checked: the deadline-reminder and the report-reminder sweeps (each with its fan-out to one
task per reminder) and the decision letter enqueued on commit when a decision is released.

Needs Redis and PostgreSQL: under CI=true it fails without them, elsewhere it is skipped.
It never hangs: every wait is bounded and the worker is killed in ``finally``.
"""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as day_time
from email import message_from_string, policy
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from applications.models import Membership
from facilitation.emails import message_id as report_message_id
from facilitation.models import Report, ReportReminder
from facilitation.tasks import send_report_reminders
from foerderportal.celery import app as celery_app
from foerderportal.files import open_stored
from letters.models import Letter
from reminders.models import Reminder
from reminders.tasks import send_due_reminders
from reviews.services import award_application
from tests.conftest import submitted_application
from tests.facilitation.conftest import make_facilitation
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory, make_academy_staff

# tests/settings.py keeps every other test eager and hands a CELERY_BROKER_URL from the environment on here.
BROKER_URL = os.environ.get("CELERY_WORKER_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
QUEUE = "foerderportal"
LOCK_KEY = "foerderportal:test-celery-worker:lock"
WAIT_SECONDS = 60

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _unavailable(message):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the worker test: {message}")
    pytest.skip(message)


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        _unavailable(f"needs Redis at {BROKER_URL} ({error})")
    # Other test runs on this machine use the same broker database: take turns.
    token = uuid.uuid4().hex
    deadline = time.monotonic() + 120
    while not client.set(LOCK_KEY, token, nx=True, ex=150):
        if time.monotonic() > deadline:
            pytest.fail("another worker test held the Redis lock for more than two minutes")
        time.sleep(0.5)
    # Leftovers of an earlier, killed run must not reach this worker.
    client.delete(QUEUE, "unacked", "unacked_index")
    yield client
    if client.get(LOCK_KEY) == token.encode():
        client.delete(LOCK_KEY)
    client.close()


@pytest.fixture
def postgres_url():
    if connection.vendor != "postgresql":
        _unavailable(
            "needs PostgreSQL so that a worker process can see the test data; "
            "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/foerderportal"
        )
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        credentials += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _reset_producer_pools():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def tasks_to_redis():
    """The test process sends tasks to Redis instead of running them eagerly; restored afterwards."""
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.broker_url
    conf.task_always_eager = False
    conf.broker_url = BROKER_URL
    _reset_producer_pools()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = previous
        _reset_producer_pools()


def _start_worker(tmp_path, database_url, *, pool=("--pool=solo", "--concurrency=1"), **extra_env):
    env = {
        **os.environ,
        "DEBUG": "true",
        # The real settings, not the test run's tests.settings (eager, in-memory broker, locmem e-mail).
        "DJANGO_SETTINGS_MODULE": "foerderportal.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER_URL,
        "EMAIL_FILE_PATH": str(tmp_path / "mails"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SITE_URL": settings.SITE_URL,
        "CONN_MAX_AGE": "0",
        **extra_env,
    }
    env.pop("CELERY_RESULT_BACKEND", None)
    log = open(tmp_path / "worker.log", "ab")  # noqa: SIM115 - closed by the caller
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "foerderportal",
            "worker",
            *pool,
            "-Q",
            QUEUE,
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"worker-test-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: a test can kill the worker with all its threads
    )
    return process, log


def _stop_worker(process, log):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    log.close()


def _mails(folder: Path):
    """Messages the file backend wrote (one file per connection, messages separated by dashes)."""
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for raw in path.read_text(encoding="utf-8").split("\n" + "-" * 79 + "\n"):
            if raw.strip():
                messages.append(message_from_string(raw, policy=policy.default))
    return messages


def _wait_for(condition, process, tmp_path, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}) before {what}:\n{_log(tmp_path)}")
        time.sleep(0.25)
    pytest.fail(f"no {what} within {WAIT_SECONDS} s; worker log:\n{_log(tmp_path)}")


def _log(tmp_path):
    return (tmp_path / "worker.log").read_text(encoding="utf-8", errors="replace")[-5000:]


def _reminder_round():
    """A round whose 7-day reminder is due now, in real time (the worker has no time machine)."""
    deadline = datetime.combine(timezone.localdate() + timedelta(days=7), day_time(23, 59, 59))
    return FundingRoundFactory(deadline=timezone.make_aware(deadline), reminder_offsets=[7])


def _report_due_soon():
    """A facilitation whose interim report is due in three days (the final one much later)."""
    facilitation = make_facilitation(by=make_academy_staff())
    facilitation.reports.update(due_on=timezone.localdate() + timedelta(days=365))
    facilitation.reports.filter(kind=Report.Kind.INTERIM).update(due_on=timezone.localdate() + timedelta(days=3))
    return facilitation.reports.get(kind=Report.Kind.INTERIM), facilitation.member


def _submitted_application():
    """A submitted application in review, set up while tasks still run eagerly in process."""
    academy = make_academy_staff()
    return submitted_application(FundingRoundFactory(closed=True), by=academy), academy


def test_worker_sends_due_reminders_and_issues_decision_letters(tmp_path, postgres_url, redis_client):
    member = MembershipFactory(status=Membership.Status.CONFIRMED)
    draft = ApplicationFactory(funding_round=_reminder_round(), organisation=member.organisation)
    report, report_member = _report_due_soon()
    application, academy = _submitted_application()

    process, log = _start_worker(tmp_path, postgres_url)
    try:
        with tasks_to_redis():
            send_due_reminders.delay()
            send_report_reminders.delay()
            # Released at once (no four-eyes rule): issue_decision_letter is enqueued on commit.
            decision = award_application(application=application, by=academy)

        def reminder_sent():
            return Reminder.objects.filter(organisation=draft.organisation, status=Reminder.Status.SENT).exists()

        _wait_for(reminder_sent, process, tmp_path, "reminder marked as sent")
        reminder = Reminder.objects.get(organisation=draft.organisation)
        [reminder_mail] = [m for m in _mails(tmp_path / "mails") if m["Message-ID"] == reminder.message_id]
        assert reminder_mail["To"] == member.user.email
        assert str(reminder_mail["Subject"]).strip().startswith("Erinnerung: Die Antragsfrist")
        assert "Es bleiben noch 7 Tage." in reminder_mail.get_body(("plain",)).get_content()

        def report_reminder_sent():
            return ReportReminder.objects.filter(report=report, status=ReportReminder.Status.SENT).exists()

        _wait_for(report_reminder_sent, process, tmp_path, "report reminder marked as sent")
        message_id = report_message_id(report.pk, ReportReminder.Kind.DUE_SOON)
        [report_mail] = [m for m in _mails(tmp_path / "mails") if m["Message-ID"] == message_id]
        assert report_member.email in str(report_mail["To"])
        assert str(report_mail["Subject"]).strip().startswith("Erinnerung: Zwischenbericht")

        def letter_announced():
            return Letter.objects.filter(decision=decision, notified_at__isnull=False).exists()

        _wait_for(letter_announced, process, tmp_path, "decision letter issued and announced")
        letter = Letter.objects.get(decision=decision)
        assert letter.is_released
        with open_stored(letter.file) as handle:
            assert handle.read().startswith(b"%PDF")
        _wait_for(
            lambda: any(m["To"] == application.member.email for m in _mails(tmp_path / "mails")),
            process,
            tmp_path,
            "e-mail announcing the letter",
        )
    finally:
        _stop_worker(process, log)

    # A second sweep, in process again: nothing left to send.
    assert send_due_reminders.delay().result == 0  # .result: no get() (see test_concurrency)
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 1
    assert send_report_reminders.delay().result == 0
    assert ReportReminder.objects.filter(status=ReportReminder.Status.SENT).count() == 1
