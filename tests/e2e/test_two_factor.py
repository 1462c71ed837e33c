"""A staff member's first login in a browser: the admin sends to the portal login, the German
set-up page shows the QR code and the secret in groups, a code from the "app" (computed here from
the secret the page shows) confirms it, the recovery codes are shown once, then the admin opens.
Every page passes the axe scan; the re-authentication page too."""

import re
from base64 import b32decode

import pytest
from playwright.sync_api import expect

from tests.factories import make_academy_staff
from tests.twofactor import totp_device

from .conftest import enter_code, field

pytestmark = pytest.mark.browser

PASSWORD = "Akademie-Verwaltung-2020"


def _app_code(secret_text):
    """What an authenticator app shows for the secret typed in from the page."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(b32decode(secret_text.replace(" ", "")), step=30, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_first_login_sets_up_the_second_factor_in_german_and_passes_axe(new_context, axe, transactional_db):
    staff = make_academy_staff(email="neu@fuehrungsakademie.example", password=PASSWORD)
    page = new_context().new_page()
    page.goto("/admin/")
    expect(page.get_by_role("heading", level=1, name="Anmelden")).to_be_visible()
    page.get_by_label(field("E-Mail-Adresse")).fill(staff.email)
    page.get_by_label(field("Passwort")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()

    expect(page.get_by_role("heading", level=1, name="Zwei-Faktor-Anmeldung einrichten")).to_be_visible()
    expect(page.get_by_role("img", name="QR-Code zum Einrichten der Authenticator-App")).to_be_visible()
    axe(page, label="Zwei-Faktor-Anmeldung einrichten")
    secret = page.locator(".two-factor-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)

    code = page.get_by_label(field("Code aus der Authenticator-App"))
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    code.fill("000000")
    page.get_by_role("button", name="Einrichtung bestätigen").click()
    expect(page.get_by_text("Der Code ist nicht gültig.")).to_be_visible()
    axe(page, label="Einrichtung mit falschem Code")
    page.wait_for_timeout(1100)  # one wrong code: one second until the next try (throttling)

    page.get_by_label(field("Code aus der Authenticator-App")).fill(_app_code(secret))
    page.get_by_role("button", name="Einrichtung bestätigen").click()
    expect(page.get_by_role("heading", level=1, name="Ihre Wiederherstellungscodes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    axe(page, label="Wiederherstellungscodes")
    page.get_by_role("link", name="Ich habe die Codes gespeichert – weiter").click()
    expect(page.locator("#site-name")).to_contain_text("Förderportal – Verwaltung")


def test_code_page_and_reauthentication_pass_axe(new_context, axe, transactional_db):
    staff = make_academy_staff(email="bekannt@fuehrungsakademie.example", password=PASSWORD)
    totp_device(staff)
    page = new_context().new_page()
    page.goto("/konto/anmelden/?next=/admin/")
    page.get_by_label(field("E-Mail-Adresse")).fill(staff.email)
    page.get_by_label(field("Passwort")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1, name="Anmeldung bestätigen")).to_be_visible()
    page.get_by_text("Kein Zugriff auf die App? Wiederherstellungscode verwenden").click()
    expect(page.get_by_label(field("Wiederherstellungscode"))).to_be_visible()
    axe(page, label="Anmeldung bestätigen")
    enter_code(page, staff)
    expect(page.locator("#site-name")).to_contain_text("Förderportal – Verwaltung")

    page.goto("/konto/bestaetigen-erneut/?next=/admin/")
    expect(page.get_by_role("heading", level=1, name="Erneut bestätigen")).to_be_visible()
    axe(page, label="Erneut bestätigen")
