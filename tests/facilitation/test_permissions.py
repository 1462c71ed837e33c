"""Who sees what: one table of facilitation URLs × role (pretix-style), plus the admin queryset.

Moderator A and municipality A get 404 on every URL of facilitation B (downloads included)
and on B's network meeting when they take part in another round; nothing changes.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from facilitation import services
from facilitation.models import Facilitation, Milestone, Report, Session
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory

from .conftest import make_facilitation, make_moderator, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(academy):
    """Facilitation B (round 1, with a session, a submitted report with file, a meeting with a poster)
    and facilitation A (round 2) with its own moderator and member."""
    moderator_b = make_moderator(staff_user=academy)
    round_b, round_a = FundingRoundFactory(), FundingRoundFactory()
    b = make_facilitation(round_b, by=academy, facilitators=[moderator_b])
    session = services.book_session(
        facilitation=b, by=moderator_b.user, date=date(2020, 9, 1), format="workshop", duration=Decimal(1)
    )
    report = b.reports.get(kind=Report.Kind.INTERIM)
    services.submit_report(report=report, by=b.member, text="Zwischenstand.", uploaded_file=pdf_upload("b.pdf"))
    meeting = services.schedule_network_meeting(
        funding_round=round_b, date=date(2099, 5, 1), venue="Stuttgart", by=academy
    )
    registration = services.register_for_network_meeting(
        meeting=meeting,
        organisation=b.application.organisation,
        by=b.member,
        delegates="Erika",
        delegate_count=1,
        poster=pdf_upload(),
    )
    moderator_a = make_moderator(staff_user=academy)
    a = make_facilitation(round_a, by=academy, facilitators=[moderator_a])
    return {
        "b": b,
        "session": session,
        "milestone": b.milestones.get(position=1),
        "report": report,
        "meeting": meeting,
        "registration": registration,
        "moderator_b": moderator_b,
        "a": a,
        "moderator_a": moderator_a,
    }


# (url name, kwargs from the world, method)
FACILITATION_URLS = [
    ("facilitation:detail", lambda w: {"pk": w["b"].pk}, "get"),
    ("facilitation:book_session", lambda w: {"pk": w["b"].pk}, "get"),
    ("facilitation:book_session", lambda w: {"pk": w["b"].pk}, "post"),
    ("facilitation:cancel_session", lambda w: {"pk": w["b"].pk, "session_pk": w["session"].pk}, "post"),
    (
        "facilitation:milestone",
        lambda w: {"pk": w["b"].pk, "milestone_pk": w["milestone"].pk, "action": "erledigt"},
        "post",
    ),
    (
        "facilitation:milestone",
        lambda w: {"pk": w["b"].pk, "milestone_pk": w["milestone"].pk, "action": "offen"},
        "post",
    ),
    ("facilitation:report", lambda w: {"pk": w["b"].pk, "report_pk": w["report"].pk}, "get"),
    ("facilitation:report", lambda w: {"pk": w["b"].pk, "report_pk": w["report"].pk}, "post"),
    ("facilitation:decide_report", lambda w: {"pk": w["b"].pk, "report_pk": w["report"].pk}, "post"),
    ("facilitation:report_download", lambda w: {"pk": w["b"].pk, "report_pk": w["report"].pk}, "get"),
    ("facilitation:meeting", lambda w: {"pk": w["meeting"].pk}, "get"),
    (
        "facilitation:register",
        lambda w: {"pk": w["meeting"].pk, "organisation_pk": w["b"].application.organisation_id},
        "get",
    ),
    (
        "facilitation:register",
        lambda w: {"pk": w["meeting"].pk, "organisation_pk": w["b"].application.organisation_id},
        "post",
    ),
    ("facilitation:gallery", lambda w: {"pk": w["meeting"].pk}, "get"),
    ("facilitation:poster_download", lambda w: {"pk": w["meeting"].pk, "registration_pk": w["registration"].pk}, "get"),
    ("facilitation:overview", lambda w: {}, "get"),
    ("facilitation:overview_csv", lambda w: {}, "get"),
]
POST_DATA = {
    "date": "2020-09-02",
    "format": "workshop",
    "duration": "1",
    "unit": "days",
    "text": "Übernommen?",
    "decision": "accept",
    "delegates": "Fremd",
    "delegate_count": "1",
}


def _request(client, name, kwargs, method):
    url = reverse(name, kwargs=kwargs)
    return getattr(client, method)(url, POST_DATA if method == "post" else None)


def _unchanged(w):
    assert Session.objects.filter(facilitation=w["b"], cancelled_at__isnull=True).count() == 1
    assert Milestone.objects.get(pk=w["milestone"].pk).done_on is None
    report = Report.objects.get(pk=w["report"].pk)
    assert (report.status, report.text) == (Report.Status.SUBMITTED, "Zwischenstand.")
    registration = w["meeting"].registrations.get()
    assert registration.delegates == "Erika"


@pytest.mark.parametrize(("name", "kwargs", "method"), FACILITATION_URLS)
def test_another_moderator_gets_404(client, world, name, kwargs, method):
    client.force_login(world["moderator_a"].user)
    assert _request(client, name, kwargs(world), method).status_code == 404
    _unchanged(world)


@pytest.mark.parametrize(("name", "kwargs", "method"), FACILITATION_URLS)
def test_another_municipality_gets_404(client, world, name, kwargs, method):
    client.force_login(world["a"].member)
    assert _request(client, name, kwargs(world), method).status_code == 404
    _unchanged(world)


@pytest.mark.parametrize(("name", "kwargs", "method"), FACILITATION_URLS)
def test_an_unconfirmed_member_of_b_gets_404(client, world, name, kwargs, method):
    pending = MembershipFactory(organisation=world["b"].application.organisation, status="requested")
    client.force_login(pending.user)
    assert _request(client, name, kwargs(world), method).status_code == 404
    _unchanged(world)


@pytest.mark.parametrize(("name", "kwargs", "method"), FACILITATION_URLS)
def test_anonymous_is_sent_to_login(client, world, name, kwargs, method):
    response = _request(client, name, kwargs(world), method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    _unchanged(world)


MEMBER_FORBIDDEN = {
    "facilitation:book_session",
    "facilitation:cancel_session",
    "facilitation:milestone",
    "facilitation:decide_report",
    "facilitation:overview",
    "facilitation:overview_csv",
}


@pytest.mark.parametrize(("name", "kwargs", "method"), [u for u in FACILITATION_URLS if u[0] in MEMBER_FORBIDDEN])
def test_the_municipality_cannot_log_sessions_decide_reports_or_see_the_overview(client, world, name, kwargs, method):
    client.force_login(world["b"].member)
    assert _request(client, name, kwargs(world), method).status_code == 404
    _unchanged(world)


@pytest.mark.parametrize(
    "name",
    [
        "facilitation:detail",
        "facilitation:report",
        "facilitation:report_download",
        "facilitation:meeting",
        "facilitation:gallery",
        "facilitation:poster_download",
    ],
)
def test_the_municipality_and_its_moderator_see_their_own(client, world, name):
    kwargs = next(k for n, k, m in FACILITATION_URLS if n == name and m == "get")(world)
    for user in (world["b"].member, world["moderator_b"].user):
        client.force_login(user)
        assert _request(client, name, kwargs, "get").status_code == 200


def test_the_municipality_sees_costs_but_not_the_moderators_notes(client, world):
    Session.objects.filter(pk=world["session"].pk).update(notes="Vertraulich: Stimmung im Gemeinderat")
    client.force_login(world["b"].member)
    page = client.get(reverse("facilitation:detail", args=[world["b"].pk])).content.decode()
    assert "1.000,00 €" in page and "39.000,00 €" in page  # the session's cost, the remaining budget
    assert "Vertraulich" not in page
    client.force_login(world["moderator_b"].user)
    assert "Vertraulich" in client.get(reverse("facilitation:detail", args=[world["b"].pk])).content.decode()


def test_index_lists_only_own_facilitations(client, world):
    client.force_login(world["moderator_a"].user)
    page = client.get(reverse("facilitation:index")).content.decode()
    assert world["a"].application.organisation.name in page
    assert world["b"].application.organisation.name not in page


def test_a_member_of_another_organisation_in_the_same_round_sees_meeting_and_posters(client, world, academy):
    same_round = make_facilitation(world["b"].application.funding_round, by=academy)
    client.force_login(same_round.member)
    assert client.get(reverse("facilitation:gallery", args=[world["meeting"].pk])).status_code == 200
    kwargs = {"pk": world["meeting"].pk, "registration_pk": world["registration"].pk}
    assert client.get(reverse("facilitation:poster_download", kwargs=kwargs)).status_code == 200
    # ... but not facilitation B itself, nor B's registration form.
    assert client.get(reverse("facilitation:detail", args=[world["b"].pk])).status_code == 404
    register_b = {"pk": world["meeting"].pk, "organisation_pk": world["b"].application.organisation_id}
    assert client.get(reverse("facilitation:register", kwargs=register_b)).status_code == 404


def test_downloads_are_sent_as_attachments_with_safe_headers(client, world):
    client.force_login(world["b"].member)
    response = client.get(
        reverse("facilitation:report_download", kwargs={"pk": world["b"].pk, "report_pk": world["report"].pk})
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def _admin_request(user):
    request = RequestFactory().get("/admin/facilitation/facilitation/")
    request.user = user
    return request


def test_admin_shows_a_moderator_only_own_facilitations(client, world):
    model_admin = site._registry[Facilitation]
    mine = model_admin.get_queryset(_admin_request(world["moderator_a"].user))
    assert list(mine.values_list("pk", flat=True)) == [world["a"].pk]

    client.force_login(world["moderator_a"].user)
    changelist = client.get(reverse("admin:facilitation_facilitation_changelist"))
    assert changelist.status_code == 200
    assert world["a"].application.organisation.name in changelist.content.decode()
    assert world["b"].application.organisation.name not in changelist.content.decode()
    other = client.get(reverse("admin:facilitation_facilitation_change", args=[world["b"].pk]))
    assert other.status_code == 302  # "does not exist" redirect
    own = client.get(reverse("admin:facilitation_facilitation_change", args=[world["a"].pk]))
    assert own.status_code == 200
    assert b'name="starts_on"' not in own.content  # read-only for moderators


def test_admin_shows_academy_staff_every_facilitation(academy, world):
    model_admin = site._registry[Facilitation]
    assert model_admin.get_queryset(_admin_request(academy)).count() == 2


def test_a_plain_user_without_membership_sees_nothing(client, world):
    client.force_login(UserFactory())
    assert client.get(reverse("facilitation:detail", args=[world["b"].pk])).status_code == 404
    page = client.get(reverse("facilitation:index")).content.decode()
    assert world["b"].application.organisation.name not in page


def test_the_navigation_shows_prozessbegleitung_only_to_those_involved(client, world, academy):
    link = f'href="{reverse("facilitation:index")}"'
    for user in (world["b"].member, world["moderator_b"].user, academy):
        client.force_login(user)
        assert link in client.get(reverse("applications:dashboard")).content.decode()
    client.force_login(MembershipFactory().user)  # a municipality without a facilitation
    assert link not in client.get(reverse("applications:dashboard")).content.decode()
