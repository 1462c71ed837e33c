"""Per-recipient delivery (``foerderportal.delivery``) and the academy's daily report of failures."""

from datetime import timedelta

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from foerderportal import delivery, delivery_report
from foerderportal.models import MailDelivery
from foerderportal.tasks import send_delivery_failure_report
from tests.factories import make_academy_staff, make_reviewer
from tests.smtp_server import refusing_smtp_server, use_smtp

pytestmark = pytest.mark.django_db


def message(*recipients, key="test.k1"):
    return EmailMessage("Betreff", "Text", "portal@akademie.example", list(recipients)), key


def test_the_development_backends_accept_everyone_once(mailoutbox):
    mail, key = message("a@x.example", "b@x.example")
    result = delivery.deliver(mail, key=key)
    assert result.accepted == ["a@x.example", "b@x.example"] and result.complete
    assert mailoutbox[0].extra_headers["Message-ID"] == delivery.stable_message_id(key)

    again = delivery.deliver(message("a@x.example", "B@x.example")[0], key=key)  # a retry of the same message
    assert again.accepted == [] and again.already == ["a@x.example", "B@x.example"]
    assert len(mailoutbox) == 1
    assert set(MailDelivery.objects.values_list("status", flat=True)) == {MailDelivery.Status.ACCEPTED}


def test_an_unreachable_server_defers_every_recipient(settings):
    with refusing_smtp_server() as (_, port):
        pass  # stopped: nothing listens on the port any more
    use_smtp(settings, port)
    mail, key = message("a@x.example")
    result = delivery.deliver(mail, key=key)
    assert list(result.deferred) == ["a@x.example"]
    with pytest.raises(delivery.DeliveryDeferred):
        result.raise_if_deferred()
    row = MailDelivery.objects.get()
    assert row.status == MailDelivery.Status.DEFERRED and row.last_code is None and "Connection" in row.last_response


def test_a_recipient_refused_for_hours_is_given_up_without_another_attempt(settings):
    with refusing_smtp_server() as (server, port):
        use_smtp(settings, port)
        server.refuse("grau@x.example", 451)
        start = timezone.now()
        delivery.deliver(message("grau@x.example")[0], key="test.k2", now=start)
        attempts = len(server.messages)
        result = delivery.deliver(
            message("grau@x.example")[0], key="test.k2", now=start + delivery.GIVE_UP_AFTER + timedelta(minutes=1)
        )
    assert list(result.failed) == ["grau@x.example"] and result.complete
    row = MailDelivery.objects.get()
    assert row.status == MailDelivery.Status.FAILED and row.attempts == 1 and "aufgegeben" in row.history[-1]
    assert len(server.messages) == attempts == 0


def _failed(recipient, key):
    now = timezone.now()
    return MailDelivery.objects.create(
        key=key,
        recipient=recipient,
        message_id=f"<{key}@x>",
        subject="Ihr Bescheid liegt vor",
        status=MailDelivery.Status.FAILED,
        created_at=now,
        failed_at=now,
        last_code=550,
        last_response="550 5.1.1 Mailbox unavailable",
    )


def test_the_academy_gets_one_report_a_day(settings, mailoutbox):
    settings.DELIVERY_REPORT_EMAIL = "team@akademie.example"
    _failed("weg@gemeinde.example", "bescheid.l1")
    _failed("alt@gemeinde.example", "eingangsbestaetigung.l2")

    assert send_delivery_failure_report.delay().result == 2
    assert send_delivery_failure_report.delay().result == 2  # the same report, not sent again
    [report] = mailoutbox
    assert report.to == ["team@akademie.example"]
    assert "2 E-Mails nicht zugestellt" in report.subject
    assert "weg@gemeinde.example" in report.body and "550 5.1.1" in report.body

    _failed("neu@gemeinde.example", "bescheid.l3")  # after today's report: in tomorrow's
    assert send_delivery_failure_report.delay().result == 2 and len(mailoutbox) == 1
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert delivery_report.send_failure_report() == 1
    assert len(mailoutbox) == 2 and "neu@gemeinde.example" in mailoutbox[1].body
    assert "weg@gemeinde.example" not in mailoutbox[1].body


def test_no_failures_no_report(mailoutbox):
    assert delivery_report.send_failure_report() == 0
    assert mailoutbox == []


def test_only_academy_staff_see_the_delivery_log(client):
    _failed("weg@gemeinde.example", "bescheid.l1")
    url = reverse("admin:foerderportal_maildelivery_changelist")
    client.force_login(make_reviewer())
    assert client.get(url).status_code == 403
    client.force_login(make_academy_staff())
    page = client.get(url + "?status__exact=failed")
    assert page.status_code == 200 and "weg@gemeinde.example" in page.content.decode()
    row = MailDelivery.objects.get()
    assert client.get(reverse("admin:foerderportal_maildelivery_change", args=[row.pk])).status_code == 200
