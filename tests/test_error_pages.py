"""German error pages in the portal's layout, with DEBUG off as in production (issue 10).

403, 404 and 500 are Django's handlers rendering templates/403.html, 404.html and 500.html (the
500 without any context); 429 is the login lockout (accounts/locked_out.html); a failed CSRF check
is foerderportal.views.csrf_failure (templates/403_csrf.html).
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import REASON_BAD_ORIGIN, REASON_BAD_REFERER, REASON_NO_CSRF_COOKIE, REASON_NO_REFERER
from django.test import Client, override_settings
from django.urls import path, reverse

from foerderportal.urls import urlpatterns as portal_urlpatterns
from foerderportal.views import csrf_failure_reason
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "interner-Fehlertext-der-nie-erscheinen-darf"


def _raise_error(request):
    raise RuntimeError(SECRET)


def _raise_permission_denied(request):
    raise PermissionDenied(SECRET)


# The portal's URLs plus two that fail on purpose (this module is the ROOT_URLCONF of the tests below).
urlpatterns = [
    path("test/fehler/", _raise_error),
    path("test/verboten/", _raise_permission_denied),
    *portal_urlpatterns,
]

production = override_settings(DEBUG=False, ROOT_URLCONF=__name__)


def assert_portal_page(response, status, heading):
    """German, in the portal's layout (navigation, footer links), no technical details."""
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="de">' in page
    assert f"<h1>{heading}</h1>" in page
    assert 'aria-label="Hauptnavigation"' in page
    assert "<footer" in page and f'href="{reverse("privacy")}"' in page and "Datenschutzhinweise" in page
    for technical in (SECRET, "Traceback", "RuntimeError", "PermissionDenied", "Not Found", "Server Error", "CSRF"):
        assert technical not in page
    return page


@production
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [("/gibt-es-nicht/", 404, "Seite nicht gefunden"), ("/test/verboten/", 403, "Zugriff nicht erlaubt")],
)
def test_an_unknown_address_and_a_refused_permission_are_german_pages_in_the_layout(client, url, status, heading):
    page = assert_portal_page(client.get(url), status, heading)
    assert f"Fehlercode {status}" in page


@production
def test_another_organisations_application_is_the_same_german_404(client, member):
    foreign = ApplicationFactory()
    client.force_login(member.user)
    page = assert_portal_page(
        client.get(reverse("applications:overview", args=[foreign.pk])), 404, "Seite nicht gefunden"
    )
    assert foreign.organisation.name not in page
    # The layout knows who is logged in (the 404 is rendered with the request).
    assert "Abmelden" in page


@production
def test_a_server_error_is_a_german_500_in_the_layout_without_any_context(client, member):
    client.raise_request_exception = False
    client.force_login(member.user)
    page = assert_portal_page(client.get("/test/fehler/"), 500, "Technischer Fehler")
    assert "Fehlercode 500" in page
    # Rendered without the request: nothing of the session shows (no user, no form token).
    assert member.user.email not in page
    assert "csrfmiddlewaretoken" not in page


def test_the_500_template_renders_with_no_context_at_all():
    """Django's server_error renders 500.html with neither request nor context processors."""
    from django.template import loader

    page = loader.get_template("500.html").render()
    assert "Technischer Fehler" in page and "Datenschutzhinweise" in page


@production
def test_a_login_lockout_is_a_german_429_in_the_layout(client, settings):
    UserFactory(email="ziel@kommune.example", password="Sicheres-Passwort-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("accounts:login"),
            {"username": "ziel@kommune.example", "password": "falsch"},
            REMOTE_ADDR="10.0.0.9",
        )
    page = assert_portal_page(response, 429, "Anmeldung vorübergehend gesperrt")
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in page


@production
def test_a_form_without_the_csrf_cookie_gets_a_german_page_saying_what_to_do():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a@b.example", "password": "x"})
    page = assert_portal_page(response, 403, "Formular nicht angenommen")
    assert "Cookies für das Förderportal" in page
    assert REASON_NO_CSRF_COOKIE not in page


@production
def test_a_form_with_a_stale_token_gets_a_german_page_saying_what_to_do():
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))  # sets the CSRF cookie
    response = client.post(
        reverse("accounts:login"), {"username": "a@b.example", "password": "x", "csrfmiddlewaretoken": "x" * 64}
    )
    page = assert_portal_page(response, 403, "Formular nicht angenommen")
    assert "Das Formular ist abgelaufen" in page
    assert "incorrect" not in page


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (REASON_NO_CSRF_COOKIE, "Sicherheits-Cookie"),
        (REASON_BAD_ORIGIN % "https://boese.example", "nicht von einer Seite des Förderportals"),
        (REASON_NO_REFERER, "nicht von einer Seite des Förderportals"),
        (REASON_BAD_REFERER % "https://boese.example", "nicht von einer Seite des Förderportals"),
        ("CSRF token missing.", "Das Formular ist abgelaufen"),
        ("CSRF token from POST incorrect.", "Das Formular ist abgelaufen"),
    ],
)
def test_each_csrf_reason_is_explained_in_german(reason, expected):
    explanation = csrf_failure_reason(reason)
    assert expected in explanation
    assert "boese.example" not in explanation and "CSRF" not in explanation
