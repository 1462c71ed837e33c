"""With a broker, the submit request only enqueues the receipt; a worker renders the PDF.

The test settings run tasks eagerly (like ``make run`` without a broker). Here Celery is switched to
a real broker transport (kombu's in-memory one) as production is with Redis: the request must leave
one ``issue_receipt`` message in the queue and never call WeasyPrint.
"""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.urls import reverse

from applications.models import Application
from foerderportal.celery import app as celery_app
from letters import rendering
from letters.models import Letter

pytestmark = pytest.mark.django_db


def _reset_producer_pools():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def tasks_to_broker():
    conf = celery_app.conf
    previous = conf.task_always_eager
    conf.task_always_eager = False
    _reset_producer_pools()
    try:
        yield
    finally:
        conf.task_always_eager = previous
        _reset_producer_pools()


def _drain_queue():
    """The task messages waiting in the in-memory broker (taken out, so no other test sees them)."""
    messages = []
    with celery_app.connection_for_read() as connection:
        queue = connection.SimpleQueue(celery_app.conf.task_default_queue)
        try:
            while True:
                message = queue.get(block=False)
                messages.append((message.headers["task"], message.headers["argsrepr"]))
                message.ack()
        except queue.Empty:
            pass
        finally:
            queue.close()
    return messages


def _submit(client, member, complete_draft, django_capture_on_commit_callbacks):
    client.force_login(member.user)
    with mock.patch.object(rendering, "html_to_pdf", wraps=rendering.html_to_pdf) as html_to_pdf:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("applications:submit", args=[complete_draft.pk]), {"declaration": "on"})
    assert response.status_code == 302
    assert Application.objects.get(pk=complete_draft.pk).status == Application.Status.SUBMITTED
    return html_to_pdf


def test_with_a_broker_the_submit_request_enqueues_the_receipt_and_renders_no_pdf(
    client, member, complete_draft, django_capture_on_commit_callbacks
):
    _drain_queue()
    with tasks_to_broker():
        html_to_pdf = _submit(client, member, complete_draft, django_capture_on_commit_callbacks)
        queued = _drain_queue()
    assert html_to_pdf.call_count == 0
    assert not Letter.objects.exists()
    assert queued == [("letters.tasks.issue_receipt", f"({complete_draft.pk},)")]


def test_without_a_broker_the_embedded_default_renders_the_receipt_eagerly(
    client, member, complete_draft, django_capture_on_commit_callbacks
):
    html_to_pdf = _submit(client, member, complete_draft, django_capture_on_commit_callbacks)
    assert html_to_pdf.call_count == 1
    assert Letter.objects.filter(application=complete_draft, kind=Letter.Kind.RECEIPT).exists()
