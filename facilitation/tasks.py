"""Celery tasks of the facilitation: take ids (or nothing), call a function, nothing else."""

from celery import shared_task

from . import reminders


@shared_task(time_limit=300, soft_time_limit=240)
def send_report_reminders():
    """Periodic (beat): idempotent, each (report, kind) is reminded once; see ``facilitation.reminders``.

    Sends inline (a few dozen reports per round); a mail error leaves the claim for a later run.
    """
    return reminders.send_report_reminders()
