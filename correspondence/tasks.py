"""Celery tasks of requests and messages: take ids, call a service, nothing else."""

from celery import shared_task

from reminders.tasks import SEND_TASK_OPTIONS, SWEEP_TASK_OPTIONS, sweep

from . import notifications, reminders


@shared_task(**SEND_TASK_OPTIONS)
def notify_message(message_id):
    """E-mail one message to each recipient once; running it twice sends nothing more."""
    return notifications.notify_message(message_id=message_id)


@shared_task(**SWEEP_TASK_OPTIONS)
def send_request_reminders():
    """Periodic (beat): claim the due reminders before a request's due date, one send per claim."""
    return sweep(reminders.REQUEST_REMINDERS, send_request_reminder)


@shared_task(**SEND_TASK_OPTIONS)
def send_request_reminder(reminder_id):
    """Send one claimed request reminder; a no-op when it was sent, skipped or is being sent elsewhere."""
    return reminders.send_reminder(reminder_id=reminder_id)
