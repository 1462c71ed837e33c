"""Celery tasks of the kernel: take ids or nothing, call a function, nothing else."""

from celery import shared_task

from . import delivery_report
from .delivery import DeliveryDeferred


@shared_task(
    autoretry_for=(DeliveryDeferred, OSError),
    retry_backoff=60,
    retry_backoff_max=600,
    max_retries=5,
    time_limit=120,
    soft_time_limit=90,
)
def send_delivery_failure_report():
    """Once a day (beat): the academy's report of e-mails that could not be delivered."""
    return delivery_report.send_failure_report()
