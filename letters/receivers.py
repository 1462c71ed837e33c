"""How letters reacts to the lower apps' hooks (connected in ``LettersConfig.ready``)."""

from collections import defaultdict

from django.db import transaction

from applications.selectors import applications_of_user
from foerderportal.prepared import PreparedQuery

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


def _released_letters():
    # With the first download that notified: the dashboard shows each letter's notification state.
    letters = Letter.objects.filter(status=Letter.Status.RELEASED).only(*APPLICANT_LETTER_FIELDS)
    return selectors.with_notification(letters).order_by("released_at", "pk")


# Compiled once per process (foerderportal.prepared): the dashboard and the receipt page ask on
# every visit, and building and compiling the annotated query was most of what they cost.
_released_letters_of_application = PreparedQuery(
    lambda user_id, pk: _released_letters().filter(
        application=pk, application__in=applications_of_user(user_id).values("pk")
    )
)
_released_letters_of_user = PreparedQuery(
    lambda user_id: _released_letters().filter(application__in=applications_of_user(user_id).values("pk"))
)


def attach_released_letters(*, applications, user_id):
    """``released_letters`` on each of the user's ``applications`` (one query, scoped to the user's
    confirmed memberships like the applications): the dashboard lists all of them, the receipt one."""
    if not applications:
        return
    if len(applications) == 1:
        letters = _released_letters_of_application.list(user_id=user_id, pk=applications[0].pk)
    else:
        letters = _released_letters_of_user.list(user_id=user_id)
    by_application = defaultdict(list)
    for letter in letters:
        by_application[letter.application_id].append(letter)
    for application in applications:
        application.released_letters = by_application[application.pk]
