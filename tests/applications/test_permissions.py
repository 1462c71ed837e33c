"""Organisation A's users get 404 on every applicant URL and download of organisation B.

One table over all applicant URLs (pretix-style): each row is run for a member of
another organisation, for an unconfirmed member of B itself, and anonymously.
"""

import pytest
from django.urls import reverse

from applications.forms import SECTIONS
from applications.models import Application, Attachment, Membership
from applications.services import submit_application
from tests.conftest import complete
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory

# (url name, kwargs built from B's objects, HTTP method)
APPLICANT_URLS = [
    ("applications:overview", lambda b: {"pk": b["draft"].pk}, "get"),
    *[("applications:section", lambda b, s=s.slug: {"pk": b["draft"].pk, "section": s}, "get") for s in SECTIONS],
    *[("applications:section", lambda b, s=s.slug: {"pk": b["draft"].pk, "section": s}, "post") for s in SECTIONS],
    ("applications:attachments", lambda b: {"pk": b["draft"].pk}, "get"),
    ("applications:attachments", lambda b: {"pk": b["draft"].pk}, "post"),
    ("applications:download_attachment", lambda b: {"pk": b["draft"].pk, "attachment_pk": b["attachment"].pk}, "get"),
    (
        "applications:download_attachment",
        lambda b: {"pk": b["submitted"].pk, "attachment_pk": b["submitted_attachment"].pk},
        "get",
    ),
    ("applications:remove_attachment", lambda b: {"pk": b["draft"].pk, "attachment_pk": b["attachment"].pk}, "post"),
    ("applications:submit", lambda b: {"pk": b["draft"].pk}, "post"),
    ("applications:withdraw", lambda b: {"pk": b["draft"].pk}, "post"),
    ("applications:receipt", lambda b: {"pk": b["submitted"].pk}, "get"),
    ("applications:overview", lambda b: {"pk": b["submitted"].pk}, "get"),
    ("applications:start", lambda b: {"round_pk": b["draft"].funding_round_id, "organisation_pk": b["org"].pk}, "post"),
    ("applications:decide_membership", lambda b: {"pk": b["pending"].pk, "decision": "confirm"}, "post"),
    ("applications:decide_membership", lambda b: {"pk": b["pending"].pk, "decision": "reject"}, "post"),
]


@pytest.fixture
def org_b(db):
    member = MembershipFactory()
    org = member.organisation
    draft = complete(ApplicationFactory(organisation=org))
    other_round_app = complete(ApplicationFactory(organisation=org))
    submitted = submit_application(declared=True, application=other_round_app, user=member.user)
    pending = MembershipFactory(organisation=org, status=Membership.Status.REQUESTED)
    return {
        "org": org,
        "member": member,
        "draft": draft,
        "attachment": draft.attachments.get(),
        "submitted": submitted,
        "submitted_attachment": submitted.attachments.get(),
        "pending": pending,
    }


def _request(client, name, kwargs, method):
    url = reverse(name, kwargs=kwargs)
    return getattr(client, method)(url, {"goals": "übernommen?"} if method == "post" else None)


def _unchanged(b):
    draft = Application.objects.get(pk=b["draft"].pk)
    assert draft.status == Application.Status.DRAFT
    assert draft.goals == b["draft"].goals
    assert Attachment.objects.filter(pk=b["attachment"].pk).exists()
    assert Application.objects.get(pk=b["submitted"].pk).status == Application.Status.SUBMITTED
    assert Membership.objects.get(pk=b["pending"].pk).status == Membership.Status.REQUESTED


@pytest.mark.parametrize(("name", "kwargs", "method"), APPLICANT_URLS)
def test_member_of_organisation_a_gets_404_for_organisation_b(client, org_b, name, kwargs, method):
    member_of_a = MembershipFactory().user
    client.force_login(member_of_a)
    response = _request(client, name, kwargs(org_b), method)
    assert response.status_code == 404
    _unchanged(org_b)


@pytest.mark.parametrize(("name", "kwargs", "method"), APPLICANT_URLS)
def test_unconfirmed_member_of_b_gets_404(client, org_b, name, kwargs, method):
    requested = MembershipFactory(organisation=org_b["org"], status=Membership.Status.REQUESTED).user
    client.force_login(requested)
    response = _request(client, name, kwargs(org_b), method)
    assert response.status_code == 404
    _unchanged(org_b)


@pytest.mark.parametrize(("name", "kwargs", "method"), APPLICANT_URLS)
def test_anonymous_is_sent_to_login(client, org_b, name, kwargs, method):
    response = _request(client, name, kwargs(org_b), method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    _unchanged(org_b)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [(n, k) for n, k, m in APPLICANT_URLS if m == "get"],
)
def test_confirmed_member_of_b_reaches_every_page(client, org_b, name, kwargs):
    client.force_login(org_b["member"].user)
    response = _request(client, name, kwargs(org_b), "get")
    assert response.status_code == 200


def test_download_has_safe_headers(client, org_b):
    client.force_login(org_b["member"].user)
    attachment = org_b["attachment"]
    response = client.get(reverse("applications:download_attachment", args=[org_b["draft"].pk, attachment.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="beschluss.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_attachment_of_b_is_not_reachable_through_a_url_of_a(client, org_b):
    """A's own application id combined with B's attachment id is also 404."""
    member_a = MembershipFactory()
    own = ApplicationFactory(organisation=member_a.organisation)
    client.force_login(member_a.user)
    url = reverse("applications:download_attachment", args=[own.pk, org_b["attachment"].pk])
    assert client.get(url).status_code == 404


def test_staff_download_requires_staff(client, org_b):
    url = reverse("admin:applications_attachment_download", args=[org_b["attachment"].pk])
    client.force_login(org_b["member"].user)
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200
