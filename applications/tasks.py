"""Celery tasks of the applicant side: take ids, call a function, nothing else."""

from smtplib import SMTPException

from celery import shared_task

from . import emails

MAIL_RETRY = {
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
    "time_limit": 60,
    "soft_time_limit": 45,
}


@shared_task(**MAIL_RETRY)
def send_membership_requested(membership_id):
    return emails.send_membership_requested(membership_id)


@shared_task(**MAIL_RETRY)
def send_membership_confirmed(membership_id):
    return emails.send_membership_confirmed(membership_id)
