"""The Redis visibility timeout against the tasks: long enough for any task, short enough to matter."""

from django.conf import settings

from foerderportal.celery import app
from reminders import engine


def _tasks():
    app.loader.import_default_modules()  # every app's tasks.py, as a worker loads them
    return [task for name, task in app.tasks.items() if not name.startswith("celery.")]


def test_the_visibility_timeout_exceeds_every_task_time_limit_plus_its_retry_countdown():
    tasks = _tasks()
    assert len(tasks) >= 10, "not vacuous: the portal's tasks are found"
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for task in tasks:
        time_limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        countdown = task.retry_backoff_max if getattr(task, "autoretry_for", ()) else 0
        assert time_limit + countdown < timeout, task.name


def test_a_task_held_by_a_dead_worker_comes_back_before_the_reminder_sweep_would_take_over():
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] < engine.CLAIM_TIMEOUT.total_seconds()
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


def test_the_sweeps_and_the_daily_report_are_on_the_beat_schedule():
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks["letters.tasks.reconcile_letters"] <= 10 * 60
    assert tasks["foerderportal.tasks.send_delivery_failure_report"] == 24 * 60 * 60
    for sweep in (
        "reminders.tasks.send_due_reminders",
        "facilitation.tasks.send_report_reminders",
        "correspondence.tasks.send_request_reminders",
    ):
        assert tasks[sweep] <= 15 * 60
    registered = {task.name for task in _tasks()}
    assert set(tasks) <= registered
