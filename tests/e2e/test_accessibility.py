"""axe-core scan (WCAG 2.1 A and AA) of every page an applicant sees, including error states.

A failure lists each serious or critical violation with the rule, its help
text and the CSS selectors of the offending elements.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from accounts.models import User
from accounts.services import verification_url
from applications import services
from applications.models import Application, FundingRound, Membership, Organisation, OrganisationKind
from tests.conftest import complete
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

from .conftest import field, log_in

pytestmark = pytest.mark.browser


@dataclass
class World:
    member: User
    colleague: User
    funding_round: FundingRound
    organisation: Organisation
    draft: Application
    submitted: Application


@pytest.fixture
def world(transactional_db):
    """A confirmed member with a half-finished draft, a submitted application, a fresh
    organisation to start an application for, and a colleague waiting for confirmation."""
    funding_round = FundingRoundFactory(name="Ausschreibung 2020", code="IE2020")
    member = UserFactory(
        email="erika@esslingen.example", first_name="Erika", last_name="Engagiert", job_title="Integrationsbeauftragte"
    )
    esslingen = OrganisationFactory(name="Esslingen am Neckar", kind=OrganisationKind.GROSSE_KREISSTADT)
    reutlingen = OrganisationFactory(name="Reutlingen", kind=OrganisationKind.GROSSE_KREISSTADT)
    OrganisationFactory(name="Salach", kind=OrganisationKind.GEMEINDE)
    for organisation in (
        esslingen,
        reutlingen,
        OrganisationFactory(name="Landkreis Esslingen", kind=OrganisationKind.LANDKREIS),
    ):
        MembershipFactory(user=member, organisation=organisation)
    colleague = UserFactory(
        email="max@esslingen.example", first_name="Max", last_name="Kollege", job_title="Sachbearbeiter"
    )
    MembershipFactory(user=colleague, organisation=esslingen, status=Membership.Status.REQUESTED)

    draft = complete(ApplicationFactory(funding_round=funding_round, organisation=esslingen))
    draft.goals = draft.participation = ""
    draft.council_body = ""
    draft.staff_hours_per_week = 10
    draft.save()

    submitted = complete(ApplicationFactory(funding_round=funding_round, organisation=reutlingen))
    submitted = services.submit_application(declared=True, application=submitted, user=member)
    return World(member, colleague, funding_round, esslingen, draft, submitted)


# --- scenarios: each opens a page (and maybe acts on it) and returns the expected <h1> -------------


def start_page(page, world):
    page.goto("/")
    return "Integration durch bürgerschaftliches Engagement und Zivilgesellschaft"


def login(page, world):
    page.goto("/konto/anmelden/")
    return "Anmelden"


def login_failed(page, world):
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(world.member.email)
    page.locator("#id_password").fill("falsches-Passwort")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text("E-Mail-Adresse oder Passwort sind nicht korrekt.")).to_be_visible()
    return "Anmelden"


def registration(page, world):
    page.goto("/konto/registrieren/")
    return "Registrieren"


def registration_organisation_search_open(page, world):
    page.goto("/konto/registrieren/")
    page.get_by_role("combobox", name="Kommune, Landkreis oder Verband").fill("Esslingen")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible()
    page.get_by_role("combobox", name="Kommune, Landkreis oder Verband").press("ArrowDown")
    return "Registrieren"


def registration_errors(page, world):
    page.goto("/konto/registrieren/")
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    return "Registrieren"


def registration_done(page, world):
    page.goto("/konto/registrieren/")
    page.locator("#id_first_name").fill("Maria")
    page.locator("#id_last_name").fill("Neu")
    page.locator("#id_email").fill("maria.neu@salach.example")
    page.locator("#id_job_title").fill("Bürgermeisterin")
    page.locator("#id_organisation_search").fill("Salach")
    page.get_by_role("option", name="Salach (Gemeinde, Landkreis Esslingen)").click()
    page.locator("#id_password1").fill("Integration-Engagement-2020")
    page.locator("#id_password2").fill("Integration-Engagement-2020")
    page.locator("#id_privacy").check()
    page.get_by_role("button", name="Konto anlegen").click()
    return "Fast geschafft"


def verification(page, world):
    unverified = UserFactory(email="neu.unbestaetigt@salach.example", is_active=False)
    page.goto(verification_url(unverified))
    expect(page.locator("input[type=password]")).to_have_count(1)
    return "E-Mail-Adresse bestätigen"


def verification_new_password(page, world):
    unverified = UserFactory(email="neu.unbestaetigt@salach.example", is_active=False)
    page.goto(verification_url(unverified) + "?neu=1")
    page.get_by_role("button", name="Passwort festlegen und bestätigen").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    return "E-Mail-Adresse bestätigen"


def verification_failed(page, world):
    page.goto("/konto/bestaetigen/MQ/ungueltig/")
    return "Link ungültig"


def password_reset(page, world):
    page.goto("/konto/passwort/vergessen/")
    return "Passwort vergessen"


def password_reset_sent(page, world):
    page.goto("/konto/passwort/vergessen/")
    page.get_by_label("E-Mail-Adresse").fill(world.member.email)
    page.get_by_role("button", name="Link anfordern").click()
    return "E-Mail unterwegs"


def password_reset_new_password(page, world):
    uid = urlsafe_base64_encode(force_bytes(world.member.pk))
    page.goto(f"/konto/passwort/neu/{uid}/{default_token_generator.make_token(world.member)}/")
    expect(page.locator("input[type=password]").first).to_be_visible()
    return "Neues Passwort festlegen"


def password_reset_invalid_link(page, world):
    page.goto("/konto/passwort/neu/MQ/ungueltig-123/")
    return "Neues Passwort festlegen"


def as_user(name):
    """The scenario runs logged in as ``world.<name>``."""

    def mark(scenario):
        scenario.user = name
        return scenario

    return mark


logged_in = as_user("member")


@logged_in
def password_change(page, world):
    page.goto("/konto/passwort/aendern/")
    return "Passwort ändern"


@logged_in
def dashboard(page, world):
    page.goto("/portal/")
    expect(page.get_by_role("button", name="Antrag für Landkreis Esslingen beginnen")).to_be_visible()
    page.get_by_text("Einer weiteren Organisation beitreten").click()  # open <details> so it is scanned too
    expect(page.get_by_role("button", name="Beitritt anfragen")).to_be_visible()
    return "Meine Anträge"


@logged_in
def dashboard_narrow_screen_menu_open(page, world):
    page.set_viewport_size({"width": 360, "height": 740})  # reflow: a phone, or 1280 px at 400 % zoom
    page.goto("/portal/")
    page.get_by_role("button", name="Menü umschalten").click()
    expect(
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Mitglieder")
    ).to_be_visible()
    return "Meine Anträge"


@as_user("colleague")
def dashboard_waiting_for_confirmation(page, world):
    page.goto("/portal/")
    expect(page.get_by_text("wartet auf Bestätigung")).to_be_visible()
    return "Meine Anträge"


@logged_in
def members(page, world):
    page.goto("/portal/organisation/mitglieder/")
    expect(page.get_by_role("button", name="Max Kollege bestätigen")).to_be_visible()
    return "Beitrittsanfragen"


def section_scenario(slug, title):
    @logged_in
    def scenario(page, world):
        page.goto(f"/portal/antrag/{world.draft.pk}/{slug}/")
        return f"Antrag Esslingen am Neckar: {title}"

    scenario.__name__ = f"section_{slug}"
    return scenario


@logged_in
def section_errors(page, world):
    page.goto(f"/portal/antrag/{world.draft.pk}/contact/")
    page.get_by_label("E-Mail der Ansprechperson").fill("keine-adresse")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte prüfen Sie die markierten Angaben.")
    return "Antrag Esslingen am Neckar: Kontakt und Projektleitung"


@logged_in
def attachments(page, world):
    page.goto(f"/portal/antrag/{world.draft.pk}/anlagen/")
    expect(page.get_by_role("link", name="beschluss.pdf")).to_be_visible()
    return "Antrag Esslingen am Neckar: Anlagen"


@logged_in
def attachments_refused_upload(page, world):
    page.goto(f"/portal/antrag/{world.draft.pk}/anlagen/")
    page.locator("#id_file").set_input_files(
        {"name": "beschluss.pdf", "mimeType": "application/pdf", "buffer": b"Das ist kein PDF."}
    )
    page.get_by_role("button", name="Hochladen").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    return "Antrag Esslingen am Neckar: Anlagen"


@logged_in
def overview_with_checklist(page, world):
    page.goto(f"/portal/antrag/{world.draft.pk}/")
    expect(page.get_by_text("Vor dem Einreichen fehlen noch 3 Angaben.")).to_be_visible()
    return "Antrag Esslingen am Neckar"


@logged_in
def overview_submit_refused(page, world):
    page.goto(f"/portal/antrag/{world.draft.pk}/")
    page.get_by_role("group", name="Erklärung").get_by_role("checkbox").check()
    page.get_by_role("button", name="Antrag verbindlich einreichen").click()
    expect(page.get_by_role("alert")).to_contain_text("Der Antrag ist noch nicht vollständig.")
    return "Antrag Esslingen am Neckar"


@logged_in
def overview_submitted(page, world):
    page.goto(f"/portal/antrag/{world.submitted.pk}/")
    return "Antrag Reutlingen"


@logged_in
def receipt(page, world):
    page.goto(f"/portal/antrag/{world.submitted.pk}/eingangsbestaetigung/")
    expect(page.get_by_text("IE2020-0001").first).to_be_visible()
    return "Eingangsbestätigung"


@logged_in
def correspondence_messages(page, world):
    page.goto(f"/portal/antrag/{world.submitted.pk}/nachrichten/")
    return "Nachrichten zum Antrag Reutlingen"


@logged_in
def correspondence_open_request(page, world):
    from datetime import timedelta

    from django.utils import timezone

    from correspondence.services import send_information_request
    from tests.factories import make_academy_staff

    send_information_request(
        application=world.submitted,
        text="Bitte reichen Sie den Beschluss nach.",
        due_on=timezone.localdate() + timedelta(days=14),
        sections=["goals"],
        attachment_kinds=["resolution"],
        by=make_academy_staff(),
    )
    page.goto(f"/portal/antrag/{world.submitted.pk}/rueckfragen/")
    expect(page.get_by_text("Bitte reichen Sie den Beschluss nach.").first).to_be_visible()
    return "Rückfragen zum Antrag Reutlingen"


@logged_in
def download_while_the_storage_is_down(page, world):
    """The German 503 page of a download whose storage does not answer."""
    import errno
    from unittest import mock

    from django.core.files.storage import FileSystemStorage

    attachment = world.draft.attachments.first()
    refusing = mock.patch.object(FileSystemStorage, "open", side_effect=OSError(errno.EIO, "Input/output error"))
    with refusing:  # the live server runs in this process: its thread sees the patched storage
        page.goto(f"/portal/antrag/{world.draft.pk}/anlagen/{attachment.pk}/")
    return "Datei vorübergehend nicht abrufbar"


SCENARIOS = [
    start_page,
    login,
    login_failed,
    registration,
    registration_organisation_search_open,
    registration_errors,
    registration_done,
    verification,
    verification_new_password,
    verification_failed,
    password_reset,
    password_reset_sent,
    password_reset_new_password,
    password_reset_invalid_link,
    password_change,
    dashboard,
    dashboard_narrow_screen_menu_open,
    dashboard_waiting_for_confirmation,
    members,
    section_scenario("contact", "Kontakt und Projektleitung"),
    section_scenario("situation", "Ausgangslage"),
    section_scenario("goals", "Ziele"),
    section_scenario("participation", "Beteiligung"),
    section_scenario("commitment", "Beschluss des Gremiums"),
    section_scenario("resources", "Räume und Personal"),
    section_errors,
    attachments,
    attachments_refused_upload,
    overview_with_checklist,
    overview_submit_refused,
    overview_submitted,
    receipt,
    correspondence_messages,
    correspondence_open_request,
    download_while_the_storage_is_down,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_page_has_no_serious_wcag_violations(scenario, axe, new_context, live_server, world):
    context = new_context()
    if getattr(scenario, "user", None):
        log_in(context, live_server, getattr(world, scenario.user))
    page = context.new_page()
    heading = scenario(page, world)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    axe(page, label=f"{scenario.__name__} ({page.url})")


def test_skip_link_is_the_first_focus_stop_and_jumps_to_the_content(new_context, live_server, world):
    context = new_context()
    log_in(context, live_server, world.member)
    page = context.new_page()
    page.goto(f"/portal/antrag/{world.draft.pk}/contact/")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    expect(skip_link).to_have_css("outline-style", "solid")  # a visible focus ring
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # From the content, Tab goes on through the section navigation, then into the form.
    page.keyboard.press("Tab")
    expect(page.get_by_role("navigation", name="Abschnitte des Antrags").get_by_role("link").first).to_be_focused()
    for _ in range(8):
        page.keyboard.press("Tab")
    expect(page.get_by_label(field("Ansprechperson"))).to_be_focused()
