"""Celery tasks of the pages app: take ids, call a service, nothing else."""

from celery import shared_task

from reminders.tasks import SEND_TASK_OPTIONS

from . import mailing


@shared_task(**SEND_TASK_OPTIONS)
def mail_contact_message(contact_id):
    """E-mail a contact message to the academy; running it twice sends nothing more."""
    return mailing.mail_contact_message(contact_id=contact_id)
