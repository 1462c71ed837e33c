"""Celery tasks of the facilitation: take ids (or nothing), call a function, nothing else."""

from celery import shared_task

from reminders.tasks import SEND_TASK_OPTIONS, SWEEP_TASK_OPTIONS, sweep

from . import reminders


@shared_task(**SWEEP_TASK_OPTIONS)
def send_report_reminders():
    """Periodic (beat): claim the due report reminders, enqueue one send per claim (``facilitation.reminders``)."""
    return sweep(reminders.REPORT_REMINDERS, send_report_reminder)


@shared_task(**SEND_TASK_OPTIONS)
def send_report_reminder(reminder_id):
    """Send one claimed report reminder; a no-op when it was sent, skipped or is being sent elsewhere."""
    return reminders.send_reminder(reminder_id=reminder_id)
