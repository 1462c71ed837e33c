"""A real SMTP server (aiosmtpd, in this process) refuses one of two recipients at RCPT.

For each e-mail that must reach every member — the deadline reminder, the e-mail announcing a
Bescheid ("Ihr Bescheid liegt vor") and the receipt — with 450 (greylisting) the refused recipient
gets the message on the next attempt, with the same Message-ID, and the accepted one exactly once;
with 550 the refused recipient ends "gescheitert", listed for academy staff in the admin.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from applications.services import submit_application
from foerderportal.delivery import DeliveryDeferred
from foerderportal.models import MailDelivery
from letters import tasks as letter_tasks
from letters.models import Letter
from reminders import services as reminder_services
from reminders.models import Reminder
from reviews.services import award_application
from tests.conftest import complete, submitted_application
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory, make_academy_staff
from tests.reminders.conftest import DEADLINE, MOMENTS
from tests.smtp_server import refusing_smtp_server, use_smtp

pytestmark = pytest.mark.django_db

ACCEPTED = "angenommen@gemeinde.example"
REFUSED = "abgelehnt@gemeinde.example"


def _organisation_with_two_members():
    first = MembershipFactory(user__email=ACCEPTED)
    MembershipFactory(organisation=first.organisation, user__email=REFUSED)
    return first


class ReminderFlow:
    """The 7-day deadline reminder of a draft; an attempt is one run of the send task's service."""

    def __init__(self, django_capture_on_commit_callbacks):
        funding_round = FundingRoundFactory(
            opens_at=DEADLINE - timedelta(days=60), deadline=DEADLINE, reminder_offsets=[7]
        )
        member = _organisation_with_two_members()
        ApplicationFactory(funding_round=funding_round, organisation=member.organisation)
        [self.row_id] = reminder_services.claim_due_reminders(MOMENTS[7])

    def attempt(self):
        reminder_services.send_reminder(reminder_id=self.row_id, now=MOMENTS[7])

    def done(self):
        return Reminder.objects.get(pk=self.row_id).status == Reminder.Status.SENT


class ReceiptFlow:
    """The receipt after submission; an attempt is one run of ``letters.tasks.issue_receipt``."""

    def __init__(self, django_capture_on_commit_callbacks):
        member = _organisation_with_two_members()
        funding_round = FundingRoundFactory()
        draft = complete(ApplicationFactory(funding_round=funding_round, organisation=member.organisation))
        with django_capture_on_commit_callbacks(execute=False):  # the attempts below run the task
            self.application = submit_application(declared=True, application=draft, user=member.user)

    def attempt(self):
        letter_tasks.issue_receipt(self.application.pk)

    def done(self):
        return Letter.objects.get(application=self.application, kind=Letter.Kind.RECEIPT).notified_at is not None


class AnnouncementFlow:
    """A released award: the Bescheid and its e-mail; an attempt is one run of ``issue_decision_letter``."""

    def __init__(self, django_capture_on_commit_callbacks):
        academy = make_academy_staff()
        application = submitted_application(FundingRoundFactory(closed=True), by=academy)
        MembershipFactory(organisation=application.organisation, user__email=REFUSED)
        application.member.email = ACCEPTED
        application.member.save(update_fields=["email"])
        with django_capture_on_commit_callbacks(execute=False):
            self.decision = award_application(application=application, by=academy)

    def attempt(self):
        letter_tasks.issue_decision_letter(self.decision.pk)

    def done(self):
        return Letter.objects.get(decision=self.decision).notified_at is not None


FLOWS = {"reminder": ReminderFlow, "receipt": ReceiptFlow, "announcement": AnnouncementFlow}


@pytest.fixture
def smtp(settings):
    with refusing_smtp_server() as (server, port):
        use_smtp(settings, port)
        yield server


@pytest.fixture(params=FLOWS)
def flow(request, django_capture_on_commit_callbacks):
    return FLOWS[request.param](django_capture_on_commit_callbacks)


def test_a_greylisted_recipient_gets_the_message_later_and_the_accepted_one_exactly_once(smtp, flow):
    smtp.refuse(REFUSED, 450, times=1)

    with pytest.raises(DeliveryDeferred):  # the task's retry takes it from here
        flow.attempt()
    assert len(smtp.received(ACCEPTED)) == 1 and smtp.received(REFUSED) == []
    assert not flow.done()
    refused = MailDelivery.objects.get(recipient=REFUSED)
    assert refused.status == MailDelivery.Status.DEFERRED
    assert refused.last_code == 450 and "Greylisted" in refused.last_response

    flow.attempt()  # the retry
    flow.attempt()  # and a duplicate delivery of the task: nothing more goes out

    assert flow.done()
    assert smtp.received(ACCEPTED) == smtp.received(REFUSED) == [refused.message_id]
    refused.refresh_from_db()
    assert refused.status == MailDelivery.Status.ACCEPTED and refused.attempts == 2
    assert "vorübergehend abgelehnt" in refused.history[0] and "angenommen" in refused.history[1]
    assert MailDelivery.objects.get(recipient=ACCEPTED).attempts == 1


def test_a_permanently_refused_recipient_fails_and_is_listed_for_the_academy(smtp, flow, client):
    smtp.refuse(REFUSED, 550)

    flow.attempt()
    flow.attempt()

    assert flow.done()  # the others have it; nothing is retried for a refusal for good
    assert len(smtp.received(ACCEPTED)) == 1 and smtp.received(REFUSED) == []
    refused = MailDelivery.objects.get(recipient=REFUSED)
    assert refused.status == MailDelivery.Status.FAILED and refused.failed_at
    assert refused.last_code == 550 and refused.attempts == 1

    client.force_login(make_academy_staff())
    page = client.get(reverse("admin:foerderportal_maildelivery_changelist") + "?status__exact=failed")
    assert page.status_code == 200
    assert REFUSED in page.content.decode() and ACCEPTED not in page.content.decode()
