"""Query budgets of the applicant pages and the submit path on deadline day.

Each page is requested for a member with one application and one attachment, and for a member of
four organisations with an application in each of four rounds and five attachments each: the number
of queries is the same (no query per row) and within the budget below. Savepoints (the test's own
transaction) are not counted; in production the service's transaction adds BEGIN and COMMIT.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.forms import SECTIONS
from applications.models import Application, Attachment, Membership
from tests.conftest import complete
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

# The dashboard is requested first: it asks whether to show the "Prozessbegleitung" link (one query);
# the later pages read the answer from the cache (facilitation.navigation).
# session, user, the application (with organisation, round and its attachments as rows of JSON)
OVERVIEW = 3
# session, user, the application (with organisation, round and whether the resolution is attached)
SECTION = 3
# session, user, the application (with organisation, round, submitter, attachments and released letters)
RECEIPT = 3
# session, user, memberships (with the colleagues' waiting requests counted), applications (with
# their attachments and released letters), open rounds, the facilitation link
DASHBOARD = 6
# session, user, the application (scoped to the member), the application locked with the membership
# check, its attachments (completeness), the round locked (reference number), the last sequence
# (a statement of its own, so it sees the sequence a competitor committed before the lock was
# granted), UPDATE, the history row, the event
SUBMIT = 10


def _portfolio(size):
    """A member of ``size`` organisations, each with a complete draft in each of ``size`` rounds."""
    rounds = [FundingRoundFactory() for _ in range(size)]
    membership = MembershipFactory()
    organisations = [membership.organisation]
    for _ in range(size - 1):
        organisation = OrganisationFactory()
        Membership.objects.create(user=membership.user, organisation=organisation, status=Membership.Status.CONFIRMED)
        organisations.append(organisation)
    applications = []
    for funding_round in rounds:
        for organisation in organisations:
            application = complete(ApplicationFactory(funding_round=funding_round, organisation=organisation))
            Attachment.objects.bulk_create(
                Attachment(
                    application=application,
                    kind=Attachment.Kind.OTHER,
                    file=f"attachments/extra-{application.pk}-{n}.pdf",
                    original_name=f"anlage-{n}.pdf",
                    content_type="application/pdf",
                    size=1,
                    sha256="1" * 64,
                )
                for n in range(size)
            )
            applications.append(application)
    return membership.user, applications


def _queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


def _counts(client, size, django_capture_on_commit_callbacks):
    user, applications = _portfolio(size)
    client.force_login(user)
    pk = applications[0].pk
    counts = {
        "dashboard": _queries(client, "get", reverse("applications:dashboard")),
        "overview": _queries(client, "get", reverse("applications:overview", args=[pk])),
        "section": _queries(client, "get", reverse("applications:section", args=[pk, SECTIONS[1].slug])),
    }
    with django_capture_on_commit_callbacks(execute=False):  # the receipt is a worker's job
        counts["submit"] = _queries(client, "post", reverse("applications:submit", args=[pk]), {"declaration": "on"})
    assert Application.objects.get(pk=pk).status == Application.Status.SUBMITTED
    counts["receipt"] = _queries(client, "get", reverse("applications:receipt", args=[pk]))
    return {page: len(queries) for page, queries in counts.items()}


def test_applicant_pages_and_submit_need_the_same_queries_for_one_application_and_for_sixteen(
    client, django_capture_on_commit_callbacks
):
    small = _counts(client, 1, django_capture_on_commit_callbacks)
    client.logout()
    large = _counts(client, 4, django_capture_on_commit_callbacks)
    assert large == small
    assert small == {
        "dashboard": DASHBOARD,
        "overview": OVERVIEW,
        "section": SECTION,
        "submit": SUBMIT,
        "receipt": RECEIPT,
    }


def test_the_overview_reads_the_attachments_once_for_checklist_navigation_and_list(client, complete_draft, member):
    client.force_login(member.user)
    queries = _queries(client, "get", reverse("applications:overview", args=[complete_draft.pk]))
    assert sum('FROM "applications_attachment"' in sql for sql in queries) == 1
