"""How letters reacts to the lower apps' hooks (connected in ``LettersConfig.ready``)."""

import functools

from django.db import transaction
from django.db.models import Prefetch

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


@functools.cache
def _released_letters_query():
    """The query of the released letters, built once per process: the dashboard and the receipt
    ask for it on every visit, and building its annotation costs several times copying it.

    Shared by the threads of a process, so it must hold no inner query (a Subquery or Exists):
    compiling a copy would change that inner query in place (tests/letters/test_views.py)."""
    # With the first download that notified: the dashboard shows each letter's notification state.
    return (
        selectors.with_notification(Letter.objects.filter(status=Letter.Status.RELEASED).only(*APPLICANT_LETTER_FIELDS))
        .order_by("released_at", "pk")
        .query
    )


def released_letters_prefetch():
    letters = Letter.objects.all()
    letters.query = _released_letters_query().chain()  # a copy: the one built stays untouched
    return [Prefetch("letters", queryset=letters, to_attr="released_letters")]
