"""Deadline day on PostgreSQL: members submitting at the same moment in one round.

Every submission gets its own reference number (the round's row lock orders the sequence), and
the same application submitted twice at once is submitted exactly once. Needs PostgreSQL (row
locks); on SQLite skipped outside CI.
"""

import pytest

from applications.models import Application
from applications.services import ApplicationError, submit_application
from tests.conftest import complete
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory
from tests.reminders.test_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_receipts(monkeypatch):
    # The threads commit for real, so on-commit tasks would run (eagerly): receipts are not the point here.
    monkeypatch.setattr("letters.tasks.issue_receipt.delay", lambda application_id: None)


def _submitting(application, user):
    return lambda: submit_application(application=application, user=user, declared=True).reference_number


def test_members_submitting_at_once_get_unique_consecutive_reference_numbers():
    funding_round = FundingRoundFactory(code="IBE-2026")
    drafts = []
    for _ in range(6):
        membership = MembershipFactory()
        drafts.append(
            (
                complete(ApplicationFactory(funding_round=funding_round, organisation=membership.organisation)),
                membership.user,
            )
        )
    references = run_in_threads(*(_submitting(application, user) for application, user in drafts))
    assert sorted(references) == [f"IBE-2026-{n:04d}" for n in range(1, 7)]
    assert Application.objects.filter(status=Application.Status.SUBMITTED).count() == 6


def test_one_application_submitted_twice_at_once_is_submitted_exactly_once():
    membership = MembershipFactory()
    colleague = MembershipFactory(organisation=membership.organisation).user
    draft = complete(ApplicationFactory(organisation=membership.organisation))
    results = run_in_threads(_submitting(draft, membership.user), _submitting(draft, colleague))
    errors = [result for result in results if isinstance(result, ApplicationError)]
    assert len(errors) == 1 and "bereits eingereicht" in errors[0].message
    application = Application.objects.get(pk=draft.pk)
    assert application.reference_number in results
    assert application.events.filter(action="submitted").count() == 1


def test_a_member_of_another_organisation_cannot_submit(complete_draft):
    stranger = MembershipFactory().user
    with pytest.raises(ApplicationError, match="Nur bestätigte Mitglieder"):
        submit_application(application=complete_draft, user=stranger, declared=True)
    assert Application.objects.get(pk=complete_draft.pk).status == Application.Status.DRAFT
