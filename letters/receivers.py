"""How letters reacts to the lower apps' hooks (connected in ``LettersConfig.ready``)."""

from django.db import models, transaction
from django.db.models import OuterRef

from foerderportal.prepared import RelatedRows, objects_from_rows

from . import selectors, tasks
from .models import Letter


def issue_receipt_on_commit(*, application):
    # Render the receipt PDF first, then send the e-mail that announces it (one task, idempotent).
    application_id = application.pk
    transaction.on_commit(lambda: tasks.issue_receipt.delay(application_id), robust=True)


def issue_decision_letter_on_commit(*, decision):
    decision_id = decision.pk
    transaction.on_commit(lambda: tasks.issue_decision_letter.delay(decision_id), robust=True)


# What the applicant's pages show of a released letter: its link, kind, date, whether it corrects
# another, and its notification state (Letter.notification); not the file's name, hash or note.
APPLICANT_LETTER_FIELDS = (
    "application_id",
    "kind",
    "status",
    "supersedes_id",
    "released_at",
    "notified_at",
    "postal_dispatch",
    "other_notified_on",
)


def _released_letter_rows():
    # With the first download that notified: the applicant's pages show each letter's notification state.
    letters = selectors.with_notification(
        Letter.objects.filter(application=OuterRef("pk"), status=Letter.Status.RELEASED)
    )
    return RelatedRows(letters, fields=APPLICANT_LETTER_FIELDS, annotations=("first_download_at",))


_MOMENT = models.DateTimeField()


def _attach_released_letters(application, rows):
    letters = objects_from_rows(Letter, rows, application._state.db, annotations={"first_download_at": _MOMENT})
    letters.sort(key=lambda letter: (letter.released_at, letter.pk))
    application.released_letters = letters


def released_letter_rows():
    """Hook ``applicant_document_rows``: the released letters in the row of each of the applicant's
    applications (the dashboard lists them, the receipt page its own), as ``released_letters``."""
    return [("released_letter_rows", _released_letter_rows, _attach_released_letters)]
