"""Celery tasks for deadline reminders: take ids, call a service, nothing else.

``send_due_reminders`` is the periodic sweep (``CELERY_BEAT_SCHEDULE``, every 15 minutes): it
claims what is due (a few queries and one INSERT) and fans out one small ``send_reminder``
task per claim. Both are idempotent; see ``reminders.services`` for the exactly-once order.
No long countdowns or ETAs: the retry backoff (5 s doubling, at most 2 minutes, 5 retries) stays
well below the claim timeout (30 minutes) and the broker's visibility timeout (1 hour).
"""

import logging

from celery import shared_task
from celery.exceptions import Retry

from . import services

logger = logging.getLogger(__name__)


@shared_task(time_limit=120, soft_time_limit=90)
def send_due_reminders():
    """Claim the due reminders (and stale claims) and enqueue one send per claim."""
    claimed = services.claim_due_reminders()
    for reminder_id in claimed:
        try:
            send_reminder.delay(reminder_id)
        except (Retry, *services.MAIL_ERRORS):
            # Only in eager mode (no broker) does the send run here, and with
            # task_eager_propagates Celery raises instead of retrying. The claim stays;
            # a later sweep takes it over after CLAIM_TIMEOUT.
            logger.exception("Reminder %s not sent; the claim stays for a later sweep", reminder_id)
    return len(claimed)


@shared_task(
    autoretry_for=services.MAIL_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
    time_limit=60,
    soft_time_limit=45,
)
def send_reminder(reminder_id):
    """Send one claimed reminder; a no-op when it was sent, skipped or is being sent elsewhere."""
    return services.send_reminder(reminder_id=reminder_id)
