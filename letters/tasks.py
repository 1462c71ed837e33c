"""Celery tasks for letters: take ids, call services, nothing else.

Each renders (or finds) the letter first and only then sends the e-mail that announces it.
Both steps are idempotent: a letter is issued once (unique constraints), an e-mail is sent
once (``notified_at``, stamped under a row lock), so a retry or a duplicate delivery
changes nothing.
"""

import logging
from smtplib import SMTPException

from celery import shared_task
from celery.exceptions import Retry

from foerderportal.files import STORAGE_ERRORS

from . import emails, issuing, reconcile

logger = logging.getLogger(__name__)

# The storage's errors (local disk, network, object storage) and the mail server's are transient.
RETRY = {
    "autoretry_for": (*STORAGE_ERRORS, SMTPException),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
    "time_limit": 120,
    "soft_time_limit": 90,
}


@shared_task(**RETRY)
def issue_receipt(application_id):
    letter = issuing.issue_receipt(application_id=application_id)
    return issuing.notify_once(letter_id=letter.pk, send=lambda: emails.send_receipt(letter.pk))


@shared_task(**RETRY)
def issue_decision_letter(decision_id):
    letter = issuing.issue_decision_letter(decision_id=decision_id)
    return issuing.notify_once(letter_id=letter.pk, send=lambda: emails.send_letter_ready(letter.pk))


@shared_task(**RETRY)
def announce_letter(letter_id):
    return issuing.notify_once(letter_id=letter_id, send=lambda: emails.send_announcement(letter_id))


def requeue_missing(now=None) -> dict[str, int]:
    """Enqueue the task of every missing receipt, letter and announcement (``letters.reconcile``); the counts."""
    work = reconcile.missing(now)
    task_for = {"receipts": issue_receipt, "letters": issue_decision_letter, "announcements": announce_letter}
    for what, ids in work.items():
        if ids:
            logger.warning("Reconciling sweep: re-queuing %d %s: %s", len(ids), what, ids)
        for pk in ids:
            try:
                task_for[what].delay(pk)
            except (Retry, SMTPException, OSError):
                # Only in eager mode does the task run here (and raise instead of retrying); the next sweep
                # tries again.
                logger.exception("Reconciling sweep: %s %s failed; the next sweep tries again", what, pk)
    return {what: len(ids) for what, ids in work.items()}


@shared_task(time_limit=120, soft_time_limit=90)
def reconcile_letters():
    """Beat, every few minutes: re-queue receipts, letters and announcements whose task was lost."""
    return requeue_missing()
