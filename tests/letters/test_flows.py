"""The flows end to end: submitting and releasing enqueue the letter tasks on commit."""

import pytest

from applications.services import submit_application
from letters.models import Letter
from reviews.services import award_application, release_decision
from tests.factories import make_academy_staff

from .conftest import letter_bytes, pdf_text

pytestmark = pytest.mark.django_db


def test_submission_produces_released_receipt_and_one_email(
    complete_draft, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit_application(declared=True, application=complete_draft, user=member.user)
    letter = Letter.objects.get(application=application)
    assert letter.kind == Letter.Kind.RECEIPT and letter.is_released and letter.notified_at
    assert application.reference_number in pdf_text(letter_bytes(letter))
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [member.user.email]
    assert application.reference_number in message.subject
    assert f"/portal/bescheide/{letter.pk}/" in message.body  # the e-mail links the PDF


def test_receipt_task_is_not_enqueued_before_commit(
    complete_draft, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_application(declared=True, application=complete_draft, user=member.user)
    assert len(callbacks) == 1
    assert not Letter.objects.exists() and not mailoutbox


def test_releasing_an_award_produces_letter_and_bescheid_email(
    application, two_place_round, academy, mailoutbox, django_capture_on_commit_callbacks
):
    two_place_round.four_eyes = True
    two_place_round.save()
    with django_capture_on_commit_callbacks(execute=True):
        decision = award_application(application=application, by=academy)
    assert not Letter.objects.exists() and not mailoutbox  # proposed: nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        release_decision(decision=decision, by=make_academy_staff())
    letter = Letter.objects.get(decision=decision)
    assert letter.kind == Letter.Kind.AWARD and letter.is_released
    assert "40.000,00 €" in pdf_text(letter_bytes(letter))
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "Bescheid" in message.subject and application.reference_number in message.subject
    assert message.to == [application.member.email]
    assert "/portal/" in message.body
