"""The reconciling sweep (``letters.reconcile``): a lost task is repaired, once, and nothing twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.services import submit_application
from letters import issuing, reconcile, tasks
from letters.models import Letter
from letters.tasks import reconcile_letters
from reviews.services import award_application

pytestmark = pytest.mark.django_db


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def test_lost_receipt_and_letter_tasks_are_repaired_once(
    complete_draft, member, application, academy, mailoutbox, django_capture_on_commit_callbacks
):
    tasks.issue_receipt(application.pk)  # the fixture's application has its receipt
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as lost:  # the broker lost both tasks
        submitted = submit_application(declared=True, application=complete_draft, user=member.user)
        decision = award_application(application=application, by=academy)
    # Two tasks; the third callback renews the navigation's cache generation (the award's facilitation).
    assert len(lost) == 3 and Letter.objects.count() == 1

    # Within the grace period the tasks may still be on their way: the sweep leaves them alone.
    assert tasks.requeue_missing(later(5)) == {"receipts": 0, "letters": 0, "announcements": 0}
    assert tasks.requeue_missing(later(11)) == {"receipts": 1, "letters": 1, "announcements": 0}
    assert tasks.requeue_missing(later(16)) == {"receipts": 0, "letters": 0, "announcements": 0}

    receipt = Letter.objects.get(application=submitted, kind=Letter.Kind.RECEIPT)
    letter = Letter.objects.get(decision=decision)
    assert receipt.notified_at and letter.notified_at
    assert len(mailoutbox) == 2
    assert {m.extra_headers["Message-ID"].split("@")[0] for m in mailoutbox} == {
        f"<eingangsbestaetigung.l{receipt.pk}",
        f"<bescheid.l{letter.pk}",
    }


def test_a_released_letter_without_its_e_mail_is_announced_once(award, mailoutbox):
    tasks.issue_receipt(award.application_id)  # the fixture's application has its receipt
    mailoutbox.clear()
    # Issued 11 minutes ago; the task died before the e-mail.
    letter = issuing.issue_decision_letter(decision_id=award.pk, now=later(-11))
    assert letter.notified_at is None

    assert reconcile_letters.delay().result == {"receipts": 0, "letters": 0, "announcements": 1}
    assert reconcile_letters.delay().result == {"receipts": 0, "letters": 0, "announcements": 0}
    letter.refresh_from_db()
    assert letter.notified_at
    [mail] = mailoutbox
    assert "Ihr Bescheid liegt vor" in mail.subject


def test_a_task_still_running_when_the_sweep_requeues_it_changes_nothing(award, mailoutbox):
    tasks.issue_decision_letter(award.pk)
    tasks.issue_decision_letter(award.pk)  # the sweep's copy, or a redelivery
    tasks.announce_letter(Letter.objects.get(decision=award).pk)
    assert Letter.objects.filter(decision=award).count() == 1 and len(mailoutbox) == 1


def test_old_items_are_left_to_staff(complete_draft, member, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        submit_application(declared=True, application=complete_draft, user=member.user)
    assert tasks.requeue_missing(timezone.now() + reconcile.WINDOW + timedelta(minutes=1))["receipts"] == 0
