"""Celery tasks for reminders: take ids, call a service, nothing else.

Every kind of reminder runs the same pair (see ``reminders.engine`` for the exactly-once order):
a periodic sweep (``CELERY_BEAT_SCHEDULE``) that claims what is due (a few queries and one
INSERT) and fans out one small send task per claim (``sweep``). Both are idempotent. The
options below are the one retry policy and the time limits of all of them. No long countdowns
or ETAs: the retry backoff (5 s doubling, at most 2 minutes, 5 retries) stays well below the
claim timeout (30 minutes) and the broker's visibility timeout (15 minutes, settings).
"""

import logging

from celery import shared_task
from celery.exceptions import Retry

from . import engine, services

logger = logging.getLogger(__name__)

SWEEP_TASK_OPTIONS = {"time_limit": 120, "soft_time_limit": 90}
SEND_TASK_OPTIONS = {
    "autoretry_for": engine.MAIL_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
    "time_limit": 60,
    "soft_time_limit": 45,
}


def sweep(kind: engine.ReminderKind, send_task) -> int:
    """Claim the due reminders of ``kind`` (and stale claims) and enqueue ``send_task`` once per claim."""
    claimed = engine.claim_due(kind)
    for row_id in claimed:
        try:
            send_task.delay(row_id)
        except (Retry, *engine.MAIL_ERRORS):
            # Only in eager mode (no broker) does the send run here, and with
            # task_eager_propagates Celery raises instead of retrying. The claim stays;
            # a later sweep takes it over after CLAIM_TIMEOUT.
            logger.exception("%s %s not sent; the claim stays for a later sweep", kind.noun.capitalize(), row_id)
    return len(claimed)


@shared_task(**SWEEP_TASK_OPTIONS)
def send_due_reminders():
    """Claim the due deadline reminders (and stale claims) and enqueue one send per claim."""
    return sweep(services.DEADLINE_REMINDERS, send_reminder)


@shared_task(**SEND_TASK_OPTIONS)
def send_reminder(reminder_id):
    """Send one claimed deadline reminder; a no-op when it was sent, skipped or is being sent elsewhere."""
    return services.send_reminder(reminder_id=reminder_id)
