"""Issuing, idempotency, immutability and corrections."""

import hashlib

import pytest
from django.db import IntegrityError, transaction

from letters import services, tasks
from letters.models import Letter, ReleasedLetterError
from reviews.models import Decision
from reviews.services import award_application, release_decision
from tests.factories import make_academy_staff

from .conftest import letter_bytes, pdf_text

pytestmark = pytest.mark.django_db


def test_released_decision_gives_released_letter_with_checksum(award):
    letter = services.issue_decision_letter(decision_id=award.pk)
    data = letter_bytes(letter)
    assert letter.status == Letter.Status.RELEASED
    assert letter.released_at and letter.decision == award
    assert letter.file.name.startswith("letters/") and letter.file.name.endswith(".pdf")
    assert letter.size == len(data) and data.startswith(b"%PDF-")
    assert letter.sha256 == hashlib.sha256(data).hexdigest()
    assert letter.rendered_by == award.released_by


def test_proposed_decision_gets_no_letter_only_a_preview(application, two_place_round, academy):
    two_place_round.four_eyes = True
    two_place_round.save()
    decision = award_application(application=application, by=academy)
    assert decision.status == Decision.Status.PROPOSED
    with pytest.raises(services.LetterError):
        services.issue_decision_letter(decision_id=decision.pk)
    preview = services.preview_decision_letter(decision)
    text = pdf_text(preview)
    assert "ENTWURF" in text and "40.000,00 €" in text
    assert not Letter.objects.exists()
    release_decision(decision=decision, by=make_academy_staff())
    with pytest.raises(services.LetterError):
        services.preview_decision_letter(decision)


def test_issuing_twice_gives_one_letter_and_one_email(award, application, mailoutbox):
    member_email = application.member.email
    first = tasks.issue_decision_letter(award.pk)
    second = tasks.issue_decision_letter(award.pk)
    assert (first, second) == (1, 0)
    assert Letter.objects.filter(decision=award).count() == 1
    assert [m.to for m in mailoutbox] == [[member_email]]


def test_receipt_is_issued_once(application, mailoutbox):
    tasks.issue_receipt(application.pk)
    tasks.issue_receipt(application.pk)
    assert Letter.objects.filter(application=application, kind=Letter.Kind.RECEIPT).count() == 1
    assert len(mailoutbox) == 1


def test_failed_email_is_sent_by_the_retry_not_lost(award, mailoutbox, monkeypatch):
    from letters import emails

    def broken(letter_id):
        raise ConnectionError("SMTP down")

    with monkeypatch.context() as patched:
        patched.setattr(emails, "send_letter_ready", broken)
        with pytest.raises(ConnectionError):
            tasks.issue_decision_letter.run(award.pk)  # no autoretry: see what a retry finds
    letter = Letter.objects.get(decision=award)
    assert letter.notified_at is None
    assert tasks.issue_decision_letter.run(award.pk) == 1
    assert len(mailoutbox) == 1 and Letter.objects.filter(decision=award).count() == 1


def test_released_letter_refuses_model_save_and_delete(award):
    letter = services.issue_decision_letter(decision_id=award.pk)
    letter.sha256 = "0" * 64
    with pytest.raises(ReleasedLetterError):
        letter.save()
    with pytest.raises(ReleasedLetterError):
        Letter.objects.get(pk=letter.pk).delete()
    # Bookkeeping stays writable.
    letter = Letter.objects.get(pk=letter.pk)
    letter.notified_at = letter.released_at
    letter.save(update_fields=["notified_at"])


@pytest.mark.parametrize(
    "change",
    [{"sha256": "0" * 64}, {"file": "letters/other.pdf"}, {"status": "draft"}, {"size": 1}, {"released_at": None}],
)
def test_database_refuses_to_change_a_released_letter(award, change):
    letter = services.issue_decision_letter(decision_id=award.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(**change)


def test_database_refuses_a_released_letter_without_checksum(award):
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(
            application=award.application, decision=award, kind=Letter.Kind.AWARD, status=Letter.Status.RELEASED
        )


def test_database_allows_one_receipt_per_application(application):
    services.issue_receipt(application_id=application.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(application=application, kind=Letter.Kind.RECEIPT)


def test_services_refuse_to_change_a_released_letter(award, academy):
    letter = services.issue_decision_letter(decision_id=award.pk)
    with pytest.raises(ReleasedLetterError):
        services.rerender_draft(letter=letter, by=academy)
    with pytest.raises(ReleasedLetterError):
        services.release_letter(letter=letter, by=academy)
    assert Letter.objects.get(pk=letter.pk).sha256 == letter.sha256


def test_correction_is_a_new_letter_that_references_the_old_one(
    award, academy, mailoutbox, django_capture_on_commit_callbacks
):
    old = services.issue_decision_letter(decision_id=award.pk)
    old_bytes = letter_bytes(old)
    with django_capture_on_commit_callbacks(execute=True):
        correction = services.issue_correction(letter=old, by=academy, note="Die Anschrift war unvollständig.")
    assert correction.pk != old.pk
    assert correction.supersedes == old and correction.decision == award
    assert correction.is_released and correction.rendered_by == academy
    text = pdf_text(letter_bytes(correction))
    assert "Berichtigung" in text and "Die Anschrift war unvollständig." in text
    assert letter_bytes(Letter.objects.get(pk=old.pk)) == old_bytes  # the old file is untouched
    assert "Berichtigte Fassung" in mailoutbox[0].subject
    # A chain, not a fork; receipts are not corrected.
    with pytest.raises(services.LetterError):
        services.issue_correction(letter=old, by=academy)
    receipt = services.issue_receipt(application_id=award.application_id)
    with pytest.raises(services.LetterError):
        services.issue_correction(letter=receipt, by=academy)


def test_draft_correction_can_be_rerendered_then_released(
    award, academy, mailoutbox, django_capture_on_commit_callbacks
):
    old = services.issue_decision_letter(decision_id=award.pk)
    draft = services.issue_correction(letter=old, by=academy, release=False)
    assert draft.status == Letter.Status.DRAFT and draft.released_at is None
    redone = services.rerender_draft(letter=draft, by=academy)
    assert redone.sha256
    with django_capture_on_commit_callbacks(execute=True):
        released = services.release_letter(letter=draft, by=academy)
    assert released.is_released
    assert len(mailoutbox) == 1


def test_losing_a_race_returns_the_winner_and_leaves_no_orphan_file(application, monkeypatch, settings):
    winner = services.issue_receipt(application_id=application.pk)
    real_filter = Letter.objects.filter
    calls = []

    def filter_missing_the_winner_once(*args, **kwargs):
        calls.append(kwargs)
        return Letter.objects.none() if len(calls) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(Letter.objects, "filter", filter_missing_the_winner_once)
    assert services.issue_receipt(application_id=application.pk) == winner
    files = list((settings.MEDIA_ROOT / "letters").rglob("*.pdf"))
    assert [f.name for f in files] == [winner.file.name.rsplit("/", 1)[1]]
