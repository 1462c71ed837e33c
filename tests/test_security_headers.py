"""Content-Security-Policy, Permissions-Policy and Django's security headers, with DEBUG off (issue 10).

django-csp sets the portal's policy on every page (foerderportal.middleware); downloads keep their
own sandbox policy (foerderportal.files.responses); no template carries inline styles or scripts.
"""

import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import path, reverse

from foerderportal.files import bytes_response
from foerderportal.files.responses import SANDBOX_CSP
from foerderportal.urls import urlpatterns as portal_urlpatterns

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
INLINE = re.compile(r"<style\b|<script(?![^>]*\bsrc=)[^>]*>|\sstyle\s*=|\son[a-z]+\s*=\s*[\"']|javascript:", re.I)


def _preview(request):
    return bytes_response(b"%PDF-", filename="Vorschau.pdf", content_type="application/pdf", as_attachment=False)


def _export(request):
    return bytes_response(b"a;b", filename="liste.csv", content_type="text/csv")


urlpatterns = [path("test/vorschau/", _preview), path("test/export/", _export), *portal_urlpatterns]


def csp_directives(response):
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def assert_security_headers(response):
    assert csp_directives(response) == EXPECTED_CSP
    assert "Content-Security-Policy-Report-Only" not in response
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@override_settings(DEBUG=False)
@pytest.mark.parametrize("who", ["anonymous", "member", "academy"])
def test_every_kind_of_page_has_the_headers_and_no_inline_code(client, who, member, academy):
    urls = {
        "anonymous": [reverse("home"), reverse("accounts:login"), reverse("privacy")],
        "member": [reverse("applications:dashboard"), reverse("applications:members")],
        "academy": [reverse("admin:index"), reverse("admin:applications_application_changelist")],
    }[who]
    if who != "anonymous":
        client.force_login(member.user if who == "member" else academy)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert not INLINE.search(response.content.decode()), url


@override_settings(DEBUG=False)
def test_an_error_page_has_the_headers_too(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert_security_headers(response)


@override_settings(DEBUG=False)
def test_a_downloaded_attachment_keeps_its_sandbox_policy(client, complete_draft, member):
    attachment = complete_draft.attachments.get()
    client.force_login(member.user)
    response = client.get(reverse("applications:download_attachment", args=[complete_draft.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == SANDBOX_CSP
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_generated_downloads_keep_their_own_policy_and_an_inline_pdf_gets_none(client):
    assert client.get("/test/export/")["Content-Security-Policy"] == SANDBOX_CSP
    preview = client.get("/test/vorschau/")
    assert preview.status_code == 200
    # The browser's PDF viewer refuses sandboxed documents; the portal's page policy is not for files either.
    assert "Content-Security-Policy" not in preview
    assert preview["Permissions-Policy"] == PERMISSIONS_POLICY


TEMPLATE_DIRS = [ROOT / "templates", *sorted(p for p in ROOT.glob("*/templates") if p.is_dir())]
# E-mails are not pages: mail clients need inline styles.
PAGE_TEMPLATES = sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html") if "emails" not in p.relative_to(d).parts)


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_template_has_inline_styles_or_scripts(template):
    assert not INLINE.search(template.read_text(encoding="utf-8"))
