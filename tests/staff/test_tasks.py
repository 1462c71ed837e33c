"""The staff start page "Aufgaben" on the admin index: counts that link to filtered changelists."""

import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Membership
from correspondence.models import InformationRequest
from facilitation.models import Facilitation, Milestone, Phase, Report
from letters.models import Letter
from reviews.models import Decision, Review
from reviews.selectors import applications_missing_reviews
from tests.facilitation.conftest import make_moderator
from tests.factories import (
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_academy_staff,
    make_reviewer,
)

ACADEMY_KEYS = {
    "memberships",
    "missing_reviews",
    "proposals",
    "proposals_for_me",
    "open_requests",
    "overdue_requests",
    "letters_not_downloaded",
    "letters_postal",
    "overdue_reports",
}
TASK = re.compile(r'<li data-task="([a-z_]+)" data-count="(\d+)">\s*<a href="([^"]+)">')
_sequence = itertools.count(1)


def tasks_on_page(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    return {key: (int(count), url.replace("&amp;", "&")) for key, count, url in TASK.findall(html)}, html


def assert_links_show_counted_rows(client, tasks):
    for key, (count, url) in tasks.items():
        response = client.get(url)
        assert response.status_code == 200, key
        assert response.context_data["cl"].result_count == count, key


def submitted(funding_round, status=Application.Status.SUBMITTED, **fields):
    n = next(_sequence)
    return Application.objects.create(
        funding_round=funding_round,
        organisation=OrganisationFactory(),
        status=status,
        reference_number=f"T-{n:05d}",
        sequence=n,
        submitted_at=timezone.now(),
        **fields,
    )


def finished_review(application, reviewer):
    return Review.objects.create(
        application=application,
        reviewer=reviewer,
        status=Review.Status.FINISHED,
        total=Decimal("50"),
        finished_at=timezone.now(),
    )


def facilitation_with_overdue_items(funding_round, *, moderator=None):
    application = submitted(funding_round, Application.Status.AWARDED, awarded_amount=Decimal("40000.00"))
    today = timezone.localdate()
    facilitation = Facilitation.objects.create(
        application=application, starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=300), budget=1
    )
    Report.objects.create(facilitation=facilitation, kind=Report.Kind.INTERIM, due_on=today - timedelta(days=1))
    Milestone.objects.create(facilitation=facilitation, phase=Phase.choices[0][0], title="M", due_on=today)
    Milestone.objects.create(
        facilitation=facilitation, phase=Phase.choices[0][0], title="Ü", due_on=today - timedelta(days=1)
    )
    if moderator:
        facilitation.facilitators.add(moderator)
    return facilitation


def add_work(n, *, funding_round, proposer):
    """``n`` of every academy task: each counted item once (postal and not-downloaded letters alternate)."""
    today = timezone.localdate()
    long_ago = timezone.now() - timedelta(days=30)
    for i in range(n):
        MembershipFactory(status=Membership.Status.REQUESTED)
        application = submitted(funding_round)
        decision = Decision.objects.create(application=application, kind=Decision.Kind.REJECT, proposed_by=proposer)
        InformationRequest.objects.create(application=application, text="Bitte", due_on=today - timedelta(days=1))
        for postal in (True, False):
            letter_application = submitted(funding_round, Application.Status.REJECTED)
            letter_decision = Decision.objects.create(
                application=letter_application,
                kind=Decision.Kind.REJECT,
                proposed_by=proposer,
                proposed_at=long_ago,
                status=Decision.Status.RELEASED,
                released_by=proposer,
                released_at=long_ago,
            )
            Letter.objects.create(
                application=letter_application,
                decision=letter_decision,
                kind=Letter.Kind.REJECTION,
                status=Letter.Status.RELEASED,
                file=f"letters/{i}-{postal}.pdf",
                sha256="ab" * 32,
                size=100,
                released_at=long_ago,
                notified_at=None if postal else long_ago,
                postal_dispatch=postal,
            )
        assert decision.pk
        facilitation_with_overdue_items(funding_round)


@pytest.fixture
def funding_round(db):
    return FundingRoundFactory(closed=True)


def test_academy_sees_every_task_with_counts_that_match_the_linked_lists(client, academy, funding_round):
    colleague = make_academy_staff()
    add_work(3, funding_round=funding_round, proposer=colleague)
    today = timezone.localdate()
    # Not counted: a confirmed membership, a fully reviewed application, a request still within its due date,
    # a letter downloaded in time; the viewer's own proposal counts as waiting, not as waiting for the viewer.
    MembershipFactory(status=Membership.Status.CONFIRMED)
    reviewed = submitted(funding_round, Application.Status.IN_REVIEW)
    finished_review(reviewed, make_reviewer())
    finished_review(reviewed, make_reviewer())
    InformationRequest.objects.create(application=reviewed, text="Bitte", due_on=today + timedelta(days=3))
    Decision.objects.create(application=reviewed, kind=Decision.Kind.REJECT, proposed_by=academy)

    client.force_login(academy)
    tasks, html = tasks_on_page(client)

    assert set(tasks) == ACADEMY_KEYS
    counts = {key: count for key, (count, _) in tasks.items()}
    assert counts == {
        "memberships": 3,
        "missing_reviews": 3,
        "proposals": 4,
        "proposals_for_me": 3,
        "open_requests": 4,
        "overdue_requests": 3,
        "letters_not_downloaded": 3,
        "letters_postal": 3,
        "overdue_reports": 3,
    }
    assert "3 Mitgliedschaftsanfragen warten auf Bestätigung" in html
    assert "4 Rückfragen offen" in html
    assert_links_show_counted_rows(client, tasks)


def test_singular_labels(client, academy, funding_round):
    add_work(1, funding_round=funding_round, proposer=make_academy_staff())
    client.force_login(academy)
    _, html = tasks_on_page(client)
    assert "1 Mitgliedschaftsanfrage wartet auf Bestätigung" in html
    assert "1 Prozessbegleitung mit überfälligem Bericht" in html


def test_query_count_does_not_grow_with_the_numbers(client, academy, funding_round, django_assert_num_queries):
    colleague = make_academy_staff()
    add_work(1, funding_round=funding_round, proposer=colleague)
    client.force_login(academy)
    client.get(reverse("admin:index"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as with_one:
        tasks_on_page(client)
    add_work(19, funding_round=funding_round, proposer=colleague)
    with django_assert_num_queries(len(with_one.captured_queries)):
        tasks, _ = tasks_on_page(client)
    assert tasks["memberships"][0] == 20
    assert tasks["letters_postal"][0] == 20


def test_missing_reviews_definition(funding_round):
    reviewers = [make_reviewer() for _ in range(3)]
    none_assigned = submitted(funding_round)
    one_assigned = submitted(funding_round, Application.Status.IN_REVIEW)
    Review.objects.create(application=one_assigned, reviewer=reviewers[0])
    unfinished = submitted(funding_round, Application.Status.IN_REVIEW)
    finished_review(unfinished, reviewers[0])
    Review.objects.create(application=unfinished, reviewer=reviewers[1], status=Review.Status.OPEN)
    conflict_leaves_one = submitted(funding_round, Application.Status.IN_REVIEW)
    finished_review(conflict_leaves_one, reviewers[0])
    Review.objects.create(application=conflict_leaves_one, reviewer=reviewers[1], status=Review.Status.CONFLICT)
    complete = submitted(funding_round, Application.Status.IN_REVIEW)
    finished_review(complete, reviewers[0])
    finished_review(complete, reviewers[1])
    Review.objects.create(application=complete, reviewer=reviewers[2], status=Review.Status.CONFLICT)
    decided = submitted(funding_round, Application.Status.REJECTED)

    missing = set(applications_missing_reviews().values_list("pk", flat=True))

    assert missing == {none_assigned.pk, one_assigned.pk, unfinished.pk, conflict_leaves_one.pk}
    assert complete.pk not in missing and decided.pk not in missing


def test_reviewer_sees_only_own_unfinished_reviews(client, academy, funding_round):
    add_work(2, funding_round=funding_round, proposer=academy)
    me, other = make_reviewer(), make_reviewer()
    for status, mine, others in ((Review.Status.ASSIGNED, 2, 3), (Review.Status.OPEN, 1, 2)):
        for _ in range(mine):
            Review.objects.create(application=submitted(funding_round), reviewer=me, status=status)
        for _ in range(others):
            Review.objects.create(application=submitted(funding_round), reviewer=other, status=status)
    finished_review(submitted(funding_round), me)

    client.force_login(me)
    tasks, html = tasks_on_page(client)

    assert {key: count for key, (count, _) in tasks.items()} == {"reviews_assigned": 2, "reviews_open": 1}
    assert "Aufgaben der Akademie" not in html
    assert_links_show_counted_rows(client, tasks)


def test_moderator_sees_only_own_facilitations(client, academy, funding_round):
    mine = make_moderator(staff_user=academy)
    theirs = make_moderator(staff_user=academy)
    for _ in range(2):
        facilitation_with_overdue_items(funding_round, moderator=mine)
    for _ in range(3):
        facilitation_with_overdue_items(funding_round, moderator=theirs)
    add_work(1, funding_round=funding_round, proposer=academy)

    client.force_login(mine.user)
    tasks, html = tasks_on_page(client)

    assert {key: count for key, (count, _) in tasks.items()} == {"milestones_overdue": 2}
    assert "Aufgaben der Akademie" not in html
    assert_links_show_counted_rows(client, tasks)


def test_staff_without_a_role_sees_no_tasks(client, academy, funding_round):
    add_work(1, funding_round=funding_round, proposer=academy)
    client.force_login(UserFactory(is_staff=True))
    tasks, html = tasks_on_page(client)
    assert tasks == {}
    assert 'id="staff-tasks"' not in html
