"""Acceptance test of the applicant side, in a real browser, from registration to the receipt."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from applications.models import Application, Membership, OrganisationKind
from tests.conftest import make_pdf
from tests.factories import FundingRoundFactory, OrganisationFactory, UserFactory

from .conftest import field, staff_log_in

pytestmark = pytest.mark.browser


PASSWORD = "Integration-Engagement-2020"
STAFF_PASSWORD = "Akademie-Verwaltung-2020"
EMAIL = "erika.engagiert@esslingen.example"


def _mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def _verification_path(message):
    match = re.search(re.escape(settings.SITE_URL) + r"(/konto/bestaetigen/[^\s/]+/[^\s/]+/)", message.body)
    assert match, f"no verification link in the e-mail:\n{message.body}"
    return match.group(1)


def _log_in(page, email, password):
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label(field("Passwort")).fill(password)
    page.get_by_role("button", name="Anmelden").click()


def _save_and_next(page):
    page.get_by_role("button", name="Speichern und weiter").click()
    expect(page.get_by_role("status").filter(has_text="Entwurf gespeichert.")).to_be_visible()


def test_applicant_registers_is_confirmed_fills_in_and_submits(new_context, live_server, tmp_path):
    funding_round = FundingRoundFactory(name="Ausschreibung 2020", code="IE2020")
    organisation = OrganisationFactory(name="Esslingen am Neckar", kind=OrganisationKind.GROSSE_KREISSTADT)
    UserFactory(email="akademie@fuehrungsakademie.example", is_staff=True, is_superuser=True, password=STAFF_PASSWORD)
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend", "mails must be captured"

    applicant = new_context().new_page()

    # Start page → registration.
    applicant.goto("/")
    expect(applicant.get_by_role("heading", level=1)).to_contain_text("Integration durch bürgerschaftliches Engagement")
    expect(applicant.get_by_role("heading", name="Ausschreibung 2020")).to_be_visible()
    applicant.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Registrieren").click()
    expect(applicant.get_by_role("heading", level=1, name="Registrieren")).to_be_visible()

    applicant.get_by_label("Vorname").fill("Erika")
    applicant.get_by_label("Nachname").fill("Engagiert")
    applicant.get_by_label("E-Mail-Adresse").fill(EMAIL)
    applicant.get_by_label(field("Funktion")).fill("Integrationsbeauftragte")
    applicant.get_by_label("Telefon").fill("0711 123456")
    applicant.get_by_role("combobox", name="Kommune, Landkreis oder Verband").fill("Esslingen am")
    applicant.get_by_role("option", name="Esslingen am Neckar (Große Kreisstadt, Landkreis Esslingen)").click()
    applicant.get_by_label(field("Passwort")).fill(PASSWORD)
    applicant.get_by_label("Passwort wiederholen").fill(PASSWORD)
    applicant.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()
    applicant.get_by_role("button", name="Konto anlegen").click()

    expect(applicant.get_by_role("heading", level=1, name="Fast geschafft")).to_be_visible()
    expect(applicant.locator("main")).to_contain_text(EMAIL)
    user = User.objects.get(email=EMAIL)
    assert not user.is_active

    # The verification link from the e-mail activates the account.
    (verification,) = _mails_to(EMAIL)
    applicant.goto(live_server.url + _verification_path(verification))
    expect(applicant.get_by_role("heading", level=1, name="E-Mail-Adresse bestätigen")).to_be_visible()
    applicant.get_by_label(field("Passwort aus Ihrer Registrierung")).fill(PASSWORD)
    applicant.get_by_role("button", name="Bestätigen").click()
    expect(applicant.get_by_role("heading", level=1, name="Anmelden")).to_be_visible()
    expect(applicant.get_by_role("status")).to_contain_text("Ihre E-Mail-Adresse ist bestätigt.")
    # Verifying announced the request to the academy (first member of the organisation).
    assert _mails_to("akademie@fuehrungsakademie.example")

    _log_in(applicant, EMAIL, PASSWORD)
    expect(applicant.get_by_role("heading", level=1, name="Meine Anträge")).to_be_visible()
    organisations = applicant.get_by_role("region", name="Meine Organisationen")
    expect(organisations.get_by_role("listitem").filter(has_text="Esslingen am Neckar")).to_contain_text(
        "wartet auf Bestätigung"
    )
    start_button = applicant.get_by_role("button", name="Antrag für Esslingen am Neckar beginnen")
    expect(start_button).to_have_count(0)

    # Academy staff confirm the membership in the admin, in their own browser session.
    staff = new_context().new_page()
    staff_log_in(staff, User.objects.get(email="akademie@fuehrungsakademie.example"), STAFF_PASSWORD)
    staff.goto("/admin/applications/membership/?status__exact=requested")
    staff.get_by_role("checkbox", name="Dieses Objekt für eine Aktion auswählen - Erika Engagiert – Esslingen").check()
    staff.get_by_role("combobox", name=re.compile(r"^Aktion")).select_option(
        label="Ausgewählte Mitgliedschaften bestätigen"
    )
    staff.get_by_role("button", name="Ausführen").click()
    expect(staff.locator("ul.messagelist")).to_contain_text("1 Mitgliedschaft bestätigt.")
    assert Membership.objects.get(user=user).status == Membership.Status.CONFIRMED
    assert any("bestätigt" in m.subject.lower() for m in _mails_to(EMAIL)[1:]), [m.subject for m in mail.outbox]

    # The applicant now may start an application.
    applicant.reload()
    expect(organisations.get_by_role("listitem").filter(has_text="Esslingen am Neckar")).to_contain_text("bestätigt")
    start_button.click()

    expect(applicant.get_by_role("heading", level=1)).to_have_text(
        "Antrag Esslingen am Neckar: Kontakt und Projektleitung"
    )
    # Prefilled from the account.
    expect(applicant.get_by_label(field("Ansprechperson"))).to_have_value("Erika Engagiert")
    expect(applicant.get_by_label("E-Mail der Ansprechperson")).to_have_value(EMAIL)
    applicant.get_by_label("Interne Projektleitung").fill("Max Leitung")
    applicant.get_by_label("Funktion der Projektleitung").fill("Amtsleiter Soziales")
    applicant.get_by_label("E-Mail der Projektleitung").fill("max.leitung@esslingen.example")
    applicant.get_by_label("Telefon der Projektleitung").fill("0711 654321")
    applicant.get_by_label("Postanschrift der Verwaltung").fill("Rathausplatz 2\n73728 Esslingen am Neckar")
    _save_and_next(applicant)

    expect(applicant.get_by_role("heading", level=1)).to_have_text("Antrag Esslingen am Neckar: Ausgangslage")
    applicant.get_by_label("Integrationssituation vor Ort").fill("Vielfältige Stadtgesellschaft mit 140 Nationen.")
    applicant.get_by_label("Bestehende Strukturen und Akteure").fill("Freundeskreise, Sportvereine, Kirchengemeinden.")
    applicant.get_by_label("Migrantenorganisationen und ihre Rolle").fill("Zwei Kulturvereine im Integrationsbeirat.")
    _save_and_next(applicant)

    expect(applicant.get_by_role("heading", level=1)).to_have_text("Antrag Esslingen am Neckar: Ziele")
    applicant.get_by_label("Ziele für die zwei Jahre").fill("Ein gemeinsames Leitbild und ein Netzwerk Engagement.")
    _save_and_next(applicant)

    expect(applicant.get_by_role("heading", level=1)).to_have_text("Antrag Esslingen am Neckar: Beteiligung")
    applicant.get_by_label("Beteiligung von Zivilgesellschaft").fill("Runder Tisch mit Migrantenorganisationen.")
    _save_and_next(applicant)

    expect(applicant.get_by_role("heading", level=1)).to_have_text("Antrag Esslingen am Neckar: Beschluss des Gremiums")
    applicant.get_by_label(field("Gremium")).select_option(label="Gemeinderat")
    applicant.get_by_label("Datum des Beschlusses").fill("2020-02-01")
    applicant.get_by_label("Inhalt des Beschlusses").fill("Der Gemeinderat unterstützt die Teilnahme.")
    _save_and_next(applicant)

    expect(applicant.get_by_role("heading", level=1)).to_have_text("Antrag Esslingen am Neckar: Räume und Personal")
    applicant.get_by_label("Räume, die die Kommune bereitstellt").fill("Rathaussaal und Bürgerhaus.")
    applicant.get_by_label("Personal, das die Kommune bereitstellt").fill("Integrationsbeauftragte.")
    applicant.get_by_label("Personaleinsatz (Stunden pro Woche)").fill("10.5")
    _save_and_next(applicant)

    # Attachments: upload the council resolution as a real PDF.
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Antrag Esslingen am Neckar: Anlagen")
    resolution = tmp_path / "Beschluss-Gemeinderat.pdf"
    resolution.write_bytes(make_pdf("Beschluss des Gemeinderats"))
    applicant.get_by_label("Art der Anlage").select_option(label="Beschluss des Gremiums")
    applicant.get_by_label(field("Datei")).set_input_files(resolution)
    applicant.get_by_role("button", name="Hochladen").click()
    expect(applicant.get_by_role("status")).to_contain_text("wurde gespeichert")
    expect(applicant.get_by_role("link", name="Beschluss-Gemeinderat.pdf")).to_be_visible()

    # Overview: everything done, then submit.
    applicant.get_by_role("link", name="Weiter zur Übersicht und zum Einreichen").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Antrag Esslingen am Neckar")
    checklist = applicant.get_by_role("list", name="Checkliste")
    expect(checklist.get_by_role("listitem")).to_have_count(12)
    expect(checklist.get_by_role("listitem").filter(has_text="fehlt noch")).to_have_count(0)
    expect(applicant.get_by_text("Vor dem Einreichen fehlen noch")).to_have_count(0)
    mails_before = len(mail.outbox)
    # The declaration is required: without the tick the browser does not send the form.
    applicant.get_by_role("button", name="Antrag verbindlich einreichen").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Antrag Esslingen am Neckar")
    assert Application.objects.get(organisation=organisation, funding_round=funding_round).status == "draft"
    declaration = applicant.get_by_role("group", name="Erklärung").get_by_role("checkbox")
    expect(declaration).to_have_accessible_name(
        "Die Angaben sind vollständig und richtig; ich bin berechtigt, den Antrag für Esslingen am Neckar "
        "einzureichen; der Beschluss des Gremiums liegt vor."
    )
    declaration.check()
    applicant.get_by_role("button", name="Antrag verbindlich einreichen").click()

    expect(applicant.get_by_role("heading", level=1, name="Eingangsbestätigung")).to_be_visible()
    application = Application.objects.get(organisation=organisation, funding_round=funding_round)
    assert application.status == Application.Status.SUBMITTED
    assert re.fullmatch(rf"{funding_round.code}-\d{{4}}", application.reference_number)
    assert application.reference_number == "IE2020-0001"  # the round's first submission
    expect(applicant.get_by_role("status")).to_contain_text("Aktenzeichen: IE2020-0001")
    expect(applicant.locator("dt:text-is('Aktenzeichen') + dd")).to_have_text("IE2020-0001")
    expect(applicant.locator("main")).to_contain_text("Beschluss-Gemeinderat.pdf")

    receipts = [m for m in mail.outbox[mails_before:] if "Eingangsbestätigung IE2020-0001" in m.subject]
    assert len(receipts) == 1, [m.subject for m in mail.outbox]
    assert receipts[0].to == [EMAIL]
    assert "IE2020-0001" in receipts[0].body
    event = application.events.get(action="submitted")
    assert event.data["declaration"].startswith("Die Angaben sind vollständig und richtig")
    assert event.data["declaration_version"]

    # The dashboard lists the submitted application with its receipt.
    applicant.get_by_role("link", name="Zurück zu meinen Anträgen").click()
    table = applicant.get_by_role("table", name="Anträge Ihrer Organisationen mit Status und Dokumenten")
    expect(table.get_by_role("row").filter(has_text="IE2020-0001")).to_contain_text("eingereicht")
    assert urlsplit(applicant.url).path == "/portal/"


@pytest.fixture
def altdorf_in_esslingen(transactional_db):
    """Two Altdorfs in BW; the one in Landkreis Esslingen."""
    OrganisationFactory(name="Altdorf", kind=OrganisationKind.GEMEINDE, key="08115001", county="Landkreis Böblingen")
    return OrganisationFactory(
        name="Altdorf", kind=OrganisationKind.GEMEINDE, key="08116004", county="Landkreis Esslingen"
    )


def _open_registration_as_anna(page):
    page.goto("/konto/registrieren/")
    page.get_by_label("Vorname").fill("Anna")
    page.get_by_label("Nachname").fill("Altdorfer")
    page.get_by_label("E-Mail-Adresse").fill("anna@altdorf.example")
    page.get_by_label(field("Funktion")).fill("Hauptamtsleiterin")
    return page.get_by_role("combobox", name="Kommune, Landkreis oder Verband")


def _register_annas_account(page):
    page.get_by_label(field("Passwort")).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_role("heading", level=1, name="Fast geschafft")).to_be_visible()
    return Membership.objects.get(user__email="anna@altdorf.example")


def test_registration_finds_the_altdorf_in_landkreis_esslingen_by_keyboard(new_context, altdorf_in_esslingen):
    """Two Altdorfs in BW: typed, told apart by county, the one in Landkreis Esslingen chosen with the keyboard."""
    page = new_context().new_page()
    combobox = _open_registration_as_anna(page)

    combobox.press_sequentially("Altdorf")
    listbox = page.get_by_role("listbox", name="Kommune, Landkreis oder Verband")
    expect(listbox.get_by_role("option")).to_have_text(
        ["Altdorf (Gemeinde, Landkreis Böblingen)", "Altdorf (Gemeinde, Landkreis Esslingen)"]
    )
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="2 Treffer")).to_be_attached()
    combobox.press("ArrowDown")
    combobox.press("ArrowDown")
    expect(listbox.get_by_role("option", selected=True)).to_have_text("Altdorf (Gemeinde, Landkreis Esslingen)")
    combobox.press("Enter")
    expect(combobox).to_have_value("Altdorf (Gemeinde, Landkreis Esslingen)")
    expect(combobox).to_have_attribute("aria-expanded", "false")

    membership = _register_annas_account(page)
    assert membership.organisation == altdorf_in_esslingen
    assert membership.status == Membership.Status.REQUESTED


def test_registration_after_an_error_keeps_the_hits_as_radio_buttons_next_to_the_combobox(
    new_context, altdorf_in_esslingen
):
    """Sent without a choice, the page lists the hits; typing again and then ticking a hit still registers it."""
    page = new_context().new_page()
    combobox = _open_registration_as_anna(page)
    combobox.fill("Altdorf")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(2)
    combobox.press("Escape")
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_text("Bitte suchen Sie Ihre Organisation")).to_be_visible()

    combobox = page.get_by_role("combobox", name="Kommune, Landkreis oder Verband")
    combobox.press_sequentially(" ")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(2)
    combobox.press("Escape")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    page.get_by_role("radio", name="Altdorf (Gemeinde, Landkreis Esslingen)").check()

    assert _register_annas_account(page).organisation == altdorf_in_esslingen
