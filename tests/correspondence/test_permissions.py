"""Every correspondence URL: another organisation, an unconfirmed member, a reviewer, a moderator → 404;
anonymous → login; the confirmed member reaches every page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from correspondence import services
from tests.conftest import make_pdf
from tests.factories import MembershipFactory, make_reviewer

from .conftest import ask

# (url name, kwargs built from B's objects, HTTP method)
CORRESPONDENCE_URLS = [
    ("correspondence:requests", lambda b: {"pk": b["application"].pk}, "get"),
    ("correspondence:answer", lambda b: {"pk": b["application"].pk}, "post"),
    ("correspondence:messages", lambda b: {"pk": b["application"].pk}, "get"),
    ("correspondence:messages", lambda b: {"pk": b["application"].pk}, "post"),
    ("correspondence:download", lambda b: {"pk": b["application"].pk, "message_pk": b["message"].pk}, "get"),
]


@pytest.fixture
def org_b(submitted, academy):
    upload = SimpleUploadedFile("frage.pdf", make_pdf(), content_type="application/pdf")
    message = services.post_message(application=submitted, author=submitted.member, text="Frage", uploaded_file=upload)
    request = ask(submitted, academy, sections=[], attachment_kinds=[])
    return {"application": request.application, "message": message, "member": submitted.member}


def _request(client, name, kwargs, method):
    url = reverse(name, kwargs=kwargs)
    return getattr(client, method)(url, {"text": "übernommen?"} if method == "post" else None)


def _unchanged(b):
    application = b["application"]
    application.refresh_from_db()
    assert application.status == "info_requested"
    assert application.messages.count() == 2  # B's question and the academy's request


def _moderator():
    from tests.facilitation.conftest import make_moderator

    return make_moderator().user


OUTSIDERS = {
    "other_organisation": lambda b: MembershipFactory().user,
    "unconfirmed": lambda b: MembershipFactory(organisation=b["application"].organisation, status="requested").user,
    "reviewer": lambda b: make_reviewer(),
    "moderator": lambda b: _moderator(),
}


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
@pytest.mark.parametrize(("name", "kwargs", "method"), CORRESPONDENCE_URLS)
def test_outsiders_get_404(client, org_b, name, kwargs, method, who):
    client.force_login(OUTSIDERS[who](org_b))
    assert _request(client, name, kwargs(org_b), method).status_code == 404
    _unchanged(org_b)


@pytest.mark.parametrize(("name", "kwargs", "method"), CORRESPONDENCE_URLS)
def test_anonymous_is_sent_to_login(client, org_b, name, kwargs, method):
    response = _request(client, name, kwargs(org_b), method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    _unchanged(org_b)


@pytest.mark.parametrize(("name", "kwargs"), [(n, k) for n, k, m in CORRESPONDENCE_URLS if m == "get"])
def test_confirmed_member_reaches_every_page(client, org_b, name, kwargs):
    client.force_login(org_b["member"])
    assert _request(client, name, kwargs(org_b), "get").status_code == 200
