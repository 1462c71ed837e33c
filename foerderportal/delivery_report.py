"""The academy hears of e-mails that could not be delivered: one report a day, sent once.

Failed deliveries (``MailDelivery`` ``failed``: refused for good, or given up after
``delivery.GIVE_UP_AFTER``) not reported yet are stamped with today's date the first time the
report of the day runs; the report lists them and goes to ``settings.DELIVERY_REPORT_EMAIL``
through ``deliver`` under the key ``zustellfehler.<date>``. A second run on the same day stamps
nothing new and sends nothing to a recipient who has the report; a failure found after the day's
report is in the next day's.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .delivery import deliver
from .mail import AUTOMATIC, build_templated_mail, stable_message_id
from .models import MailDelivery

KEY_PREFIX = "zustellfehler."


def report_key(day) -> str:
    return f"{KEY_PREFIX}{day:%Y%m%d}"


def send_failure_report(*, now=None) -> int:
    """Send today's report of failed deliveries (once); returns the number of failures it lists."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    key = report_key(day)
    recipients = [address for address in [settings.DELIVERY_REPORT_EMAIL] if address]
    failed = MailDelivery.objects.filter(status=MailDelivery.Status.FAILED).exclude(key__startswith=KEY_PREFIX)
    with transaction.atomic():
        if not MailDelivery.objects.filter(key=key).exists():
            failed.filter(reported_on__isnull=True).update(reported_on=day)
        failures = list(failed.filter(reported_on=day).order_by("failed_at", "pk"))
        if not failures or not recipients:
            return 0
        context = {
            "day": day,
            "failures": failures,
            "url": settings.SITE_URL
            + reverse("admin:foerderportal_maildelivery_changelist")
            + f"?status__exact=failed&reported_on={day:%Y-%m-%d}",
        }
        headers = {**AUTOMATIC, "Message-ID": stable_message_id(key)}
        result = deliver(build_templated_mail("emails/delivery_report", context, recipients, headers=headers), key=key)
    result.raise_if_deferred()
    return len(failures)
