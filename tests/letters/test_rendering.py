"""What the letters say, and that they are archivable PDFs (PDF/A-3u, fonts embedded)."""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.formats import date_format
from pypdf import PdfReader

from applications.models import Application, FundingRound, Organisation, OrganisationKind
from applications.services import submit_application
from facilitation.models import Facilitation
from letters import issuing, rendering, services
from letters.models import Letter
from reviews.services import award_application, move_to_review, reject_application, waitlist_application
from tests.conftest import complete
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory

from .conftest import letter_bytes, pdf_text

BERLIN = ZoneInfo("Europe/Berlin")

pytestmark = pytest.mark.django_db


def test_award_letter_names_organisation_reference_amount_period_and_legal_remedies(award):
    letter = services.issue_decision_letter(decision_id=award.pk)
    text = pdf_text(letter_bytes(letter))
    application = award.application
    assert letter.kind == Letter.Kind.AWARD
    assert application.organisation.name in text
    assert "Marktplatz 1 73728 Esslingen am Neckar" in text  # the address window
    assert f"Aktenzeichen {application.reference_number}" in text
    assert "bis zu 40.000,00 €" in text
    assert "24 Monate" in text
    assert "Netzwerktreffen" in text and "Projektleitung" in text and "Gemeinderat" in text
    assert "Rechtsbehelfsbelehrung" in text
    assert "Widerspruch" in text  # the default text when the round has none


def test_round_text_replaces_default_legal_remedies(award):
    funding_round = award.application.funding_round
    funding_round.legal_remedies = "Gegen diesen Bescheid kann Klage beim Verwaltungsgericht Karlsruhe erhoben werden."
    funding_round.save()
    text = pdf_text(letter_bytes(services.issue_decision_letter(decision_id=award.pk)))
    assert "Klage beim Verwaltungsgericht Karlsruhe" in text
    assert "Widerspruch" not in text


def test_amount_and_period_come_from_decision_and_round(application, academy):
    funding_round = application.funding_round
    funding_round.facilitation_months = 18
    funding_round.save()
    decision = award_application(application=application, by=academy, amount="12345.5")
    text = pdf_text(letter_bytes(services.issue_decision_letter(decision_id=decision.pk)))
    assert "bis zu 12.345,50 €" in text
    assert "18 Monate" in text


def test_rejection_letter_gives_the_reasons(application, academy):
    reasons = "Die Beteiligung der Zivilgesellschaft ist nicht hinreichend dargelegt."
    decision = reject_application(application=application, by=academy, reasons=reasons)
    letter = services.issue_decision_letter(decision_id=decision.pk)
    text = pdf_text(letter_bytes(letter))
    assert letter.kind == Letter.Kind.REJECTION
    assert "wird abgelehnt" in text
    assert reasons in text
    assert "Rechtsbehelfsbelehrung" in text
    assert "40.000,00" not in text


def test_waitlist_gets_a_short_notice_without_legal_remedies(application, academy):
    decision = waitlist_application(application=application, by=academy)
    letter = services.issue_decision_letter(decision_id=decision.pk)
    text = pdf_text(letter_bytes(letter))
    assert letter.kind == Letter.Kind.WAITLIST
    assert "Nachrückliste" in text
    assert "noch keine Entscheidung" in text
    assert "Rechtsbehelfsbelehrung" not in text


def test_pdf_is_pdf_a_3u_tagged_german_with_embedded_fonts_and_page_numbers(award):
    data = letter_bytes(services.issue_decision_letter(decision_id=award.pk))
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "U")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert root["/MarkInfo"]["/Marked"]  # tagged
    assert reader.metadata.author == "Führungsakademie Baden-Württemberg"
    assert award.application.reference_number in reader.metadata.title

    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"]] = "/FontFile2" in descriptor
    assert fonts and all(fonts.values()), fonts  # every font embedded
    # Subset ("ABCDEF+") of the bundled font, named after the stylesheet's family.
    assert all("+Letter-Sans" in name for name in fonts), fonts

    text = pdf_text(data)
    assert "Seite 1 von" in text


def test_receipt_lists_reference_time_and_attachment_checksums(application):
    letter = services.issue_receipt(application_id=application.pk)
    text = pdf_text(letter_bytes(letter))
    attachment = application.attachments.get()
    assert letter.kind == Letter.Kind.RECEIPT and letter.is_released
    assert "Eingangsbestätigung" in text
    assert application.reference_number in text
    assert attachment.original_name in text
    assert attachment.sha256 in text.replace(" ", "")
    assert " Uhr" in text


def test_letters_never_fetch_outside_their_assets():
    fetcher = rendering.LocalAssetsFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:9/logo.png")
    font = (rendering.ASSETS_DIR / "fonts" / "LiberationSans-Regular.ttf").as_uri()
    assert fetcher.fetch(font).read(4) == b"\x00\x01\x00\x00"


def test_markup_in_applicant_input_is_escaped_not_rendered(application, academy):
    reasons = '<img src="file:///etc/passwd"> <b>fett</b>'
    decision = reject_application(application=application, by=academy, reasons=reasons)
    text = pdf_text(letter_bytes(services.issue_decision_letter(decision_id=decision.pk)))
    assert '<img src="file:///etc/passwd">' in text


# --- letters that read like a Bescheid (issue 9) ---------------------------------------------

OFFICER = "Dr. Maria Beispiel"
OFFICER_TITLE = "Leiterin des Bereichs Prozessbegleitung"
LEGAL_BASIS = "Förderaufruf „Prozessbegleitung 2020“ vom 15. Januar 2020 i. V. m. § 44 LHO Baden-Württemberg"
RELEASED = datetime(2020, 6, 15, 10, 0, tzinfo=BERLIN)

# One organisation of each kind, as stored, and how the letters name it.
KINDS = [
    (OrganisationKind.GEMEINDE, "Aichwald", "die Gemeinde Aichwald", "der Gemeinde Aichwald"),
    (OrganisationKind.STADT, "Tübingen", "die Stadt Tübingen", "der Stadt Tübingen"),
    (
        OrganisationKind.GROSSE_KREISSTADT,
        "Esslingen am Neckar",
        "die Große Kreisstadt Esslingen am Neckar",
        "der Großen Kreisstadt Esslingen am Neckar",
    ),
    (OrganisationKind.STADTKREIS, "Heidelberg", "die Stadt Heidelberg", "der Stadt Heidelberg"),
    (OrganisationKind.LANDKREIS, "Landkreis Böblingen", "der Landkreis Böblingen", "des Landkreises Böblingen"),
    (
        OrganisationKind.GVV,
        "Gemeindeverwaltungsverband Plochingen",
        "der Gemeindeverwaltungsverband Plochingen",
        "des Gemeindeverwaltungsverbands Plochingen",
    ),
    (
        OrganisationKind.VVG,
        "Vereinbarte Verwaltungsgemeinschaft Bad Waldsee",
        "die Vereinbarte Verwaltungsgemeinschaft Bad Waldsee",
        "der Vereinbarten Verwaltungsgemeinschaft Bad Waldsee",
    ),
]


def decided(academy, *, kind, name, decide, postal_address="Am Markt 1\n72070 Musterort", **round_fields):
    """A decision on the application of a new organisation, released after the round's deadline."""
    funding_round = FundingRoundFactory(signing_officer=OFFICER, signing_officer_title=OFFICER_TITLE, **round_fields)
    membership = MembershipFactory(organisation__name=name, organisation__kind=kind)
    application = complete(ApplicationFactory(funding_round=funding_round, organisation=membership.organisation))
    application.postal_address = postal_address
    application.save()
    application = submit_application(application=application, user=membership.user, declared=True)
    # Decisions come after the deadline: the round closed before the release.
    FundingRound.objects.filter(pk=funding_round.pk).update(
        opens_at=RELEASED - timedelta(days=60), deadline=RELEASED - timedelta(days=7)
    )
    with time_machine.travel(RELEASED, tick=False):
        application = move_to_review(application=Application.objects.get(pk=application.pk), by=academy)
        return decide(application)


def award_of(academy):
    return lambda application: award_application(application=application, by=academy)


def rejection_of(academy, reasons="Die Beteiligung der Zivilgesellschaft ist nicht hinreichend dargelegt."):
    return lambda application: reject_application(application=application, by=academy, reasons=reasons)


def page_texts(data: bytes) -> list[str]:
    """Each page's text without its footer (reference, page number), whitespace collapsed."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines = [line for line in (page.extract_text() or "").splitlines() if not FOOTER.search(line)]
        pages.append(" ".join(" ".join(lines).split()))
    return pages


FOOTER = re.compile(r"^\s*Aktenzeichen \S+\s*$|Seite \d+ von \d+")


@pytest.mark.parametrize(("kind", "name", "nominative", "genitive"), KINDS, ids=[k[0] for k in KINDS])
@pytest.mark.parametrize("outcome", ["award", "rejection"])
def test_bescheid_names_the_municipality_the_period_the_legal_basis_and_the_officer(
    academy, kind, name, nominative, genitive, outcome
):
    decide = award_of(academy) if outcome == "award" else rejection_of(academy)
    decision = decided(academy, kind=kind, name=name, decide=decide, legal_basis=LEGAL_BASIS)
    text = pdf_text(letter_bytes(services.issue_decision_letter(decision_id=decision.pk)))
    organisation = decision.application.organisation
    if outcome == "award":
        assert (
            f"Bescheid – Aufnahme in die Prozessbegleitung {decision.application.funding_round.programme.name}" in text
        )
        assert f"{nominative[0].upper()}{nominative[1:]} wird in die Prozessbegleitung" in text
        assert f"Mit der Teilnahme verpflichtet sich {nominative}," in text
    else:
        assert "Bescheid – Ablehnung" in text
        assert f"Der Antrag {genitive} auf Teilnahme" in text
    # Released in June 2020: the facilitation runs from 1 July 2020 for the round's 24 months.
    assert "vom 1. Juli 2020 bis zum 1. Juli 2022" in text
    assert LEGAL_BASIS in text
    assert f"Mit freundlichen Grüßen Führungsakademie Baden-Württemberg {OFFICER} {OFFICER_TITLE}" in text
    assert "Elektronisch erstellt, ohne Unterschrift gültig." in text
    # The address: the official name once, then the postal address.
    assert f"{organisation.official_name} Am Markt 1 72070 Musterort" in text
    assert "Zusage" not in text and "Schreiben" not in text


def test_period_in_the_award_is_the_period_of_its_facilitation(academy):
    decision = decided(academy, kind=OrganisationKind.STADT, name="Tübingen", decide=award_of(academy))
    facilitation = Facilitation.objects.get(application=decision.application)
    text = pdf_text(letter_bytes(services.issue_decision_letter(decision_id=decision.pk)))
    start, end = (date_format(day, "j. F Y") for day in (facilitation.starts_on, facilitation.ends_on))
    assert f"vom {start} bis zum {end}" in text


def test_address_block_does_not_repeat_the_name(academy):
    decision = decided(
        academy,
        kind=OrganisationKind.STADT,
        name="Tübingen",
        decide=award_of(academy),
        postal_address="Universitätsstadt Tübingen\nAm Markt 1\n72070 Tübingen",
    )
    text = pdf_text(letter_bytes(services.issue_decision_letter(decision_id=decision.pk)))
    assert "Universitätsstadt Tübingen Am Markt 1 72070 Tübingen" in text
    assert "Tübingen Universitätsstadt" not in text


@pytest.mark.parametrize(
    ("kind", "name", "address", "lines"),
    [
        (
            OrganisationKind.STADT,
            "Tübingen",
            "Am Markt 1\n72070 Tübingen",
            ["Stadt Tübingen", "Am Markt 1", "72070 Tübingen"],
        ),
        (
            OrganisationKind.STADT,
            "Tübingen",
            "Universitätsstadt Tübingen\nAm Markt 1",
            ["Universitätsstadt Tübingen", "Am Markt 1"],
        ),
        (OrganisationKind.STADT, "Tübingen", "72070 Tübingen", ["Stadt Tübingen", "72070 Tübingen"]),
        (
            OrganisationKind.LANDKREIS,
            "Landkreis Böblingen",
            "Landratsamt Böblingen\nParkstraße 16",
            ["Landratsamt Böblingen", "Parkstraße 16"],
        ),
        (
            OrganisationKind.LANDKREIS,
            "Alb-Donau-Kreis",
            "Schillerstraße 30\n89077 Ulm",
            ["Alb-Donau-Kreis", "Schillerstraße 30", "89077 Ulm"],
        ),
        (OrganisationKind.GEMEINDE, "Aichwald", "", ["Gemeinde Aichwald"]),
    ],
)
def test_recipient_lines_name_the_addressee_once(kind, name, address, lines):
    application = Application(organisation=Organisation(name=name, kind=kind), postal_address=address)
    assert issuing.recipient_lines(application) == lines


def test_default_legal_basis_names_the_call_and_the_norm(academy):
    decision = decided(academy, kind=OrganisationKind.STADT, name="Tübingen", decide=award_of(academy))
    funding_round = decision.application.funding_round
    text = pdf_text(letter_bytes(services.issue_decision_letter(decision_id=decision.pk)))
    assert f"Förderaufruf „{funding_round.name}“ zum Förderprogramm „{funding_round.programme.name}“" in text
    assert "§ 44 der Landeshaushaltsordnung für Baden-Württemberg (LHO)" in text


def test_a_round_signed_by_hand_leaves_room_for_the_signature_and_claims_no_electronic_validity(academy):
    decision = decided(
        academy, kind=OrganisationKind.STADT, name="Tübingen", decide=award_of(academy), signed_electronically=False
    )
    text = pdf_text(letter_bytes(services.issue_decision_letter(decision_id=decision.pk)))
    assert OFFICER in text
    assert "ohne Unterschrift gültig" not in text


def test_info_block_has_the_phone_and_breaks_no_word(academy, settings):
    settings.LETTER_SENDER = {"phone": "0721 926-12345", "email": "prozessbegleitung@fuehrungsakademie.example"}
    decision = decided(academy, kind=OrganisationKind.STADT, name="Tübingen", decide=award_of(academy))
    first_page = PdfReader(io.BytesIO(letter_bytes(services.issue_decision_letter(decision_id=decision.pk)))).pages[0]
    lines = [" ".join(line.split()) for line in first_page.extract_text().splitlines()]
    # Each entry stands whole on one line: label and value, the e-mail address unbroken.
    for entry in ("Telefon 0721 926-12345", "prozessbegleitung@fuehrungsakademie.example", "Ansprechperson"):
        assert any(entry in line for line in lines), (entry, lines)


def closing_page(pages):
    return next(number for number, text in enumerate(pages) if "Mit freundlichen Grüßen" in text)


def test_the_closing_never_opens_a_page(academy):
    """Longer and longer reasons push the closing over the page end: the last paragraph goes with it."""

    def render(paragraphs):
        reasons = "\n\n".join(f"Begründung, Absatz {n}: Die Angaben reichen nicht aus." for n in range(paragraphs))
        decision = decided(
            academy,
            kind=OrganisationKind.STADT,
            name=f"Musterstadt {paragraphs}",
            decide=rejection_of(academy, reasons),
        )
        return page_texts(issuing.render_decision(issuing.load_decision(decision.pk))[1])

    # The first length at which the closing moves to the next page is where it could be left alone.
    low, high = 1, 40
    first = closing_page(render(low))
    assert closing_page(render(high)) > first
    while high - low > 1:
        middle = (low + high) // 2
        if closing_page(render(middle)) > first:
            high = middle
        else:
            low = middle
    for paragraphs in (high, high + 1):
        pages = render(paragraphs)
        page = pages[closing_page(pages)]
        assert not page.startswith("Mit freundlichen Grüßen"), page
        # The whole last paragraph (the legal remedies) stands above the closing on that page.
        assert page.index("Gegen diesen Bescheid kann innerhalb eines Monats") < page.index("Mit freundlichen Grüßen")


# --- the renderer loads only its stylesheet and fonts (issue 10) ------------------------------

INJECTED = {
    "http://127.0.0.1:9/fremd.css": '<link rel="stylesheet" href="http://127.0.0.1:9/fremd.css">',
    "https://example.org/import.css": '<style>@import url("https://example.org/import.css");</style>',
    "file:///etc/passwd": '<img src="file:///etc/passwd" alt="">',
    "file:///etc/hostname": '<div style="background: url(file:///etc/hostname)">x</div>',
    "models.py": '<a rel="attachment" href="models.py">Anhang</a>',  # would embed the file in the PDF
    "rendering.py": '<link rel="stylesheet" href="rendering.py">',
    "OFL.txt": '<img src="fonts/OFL.txt" alt="">',
    "settings.py": '<img src="../foerderportal/settings.py" alt="">',
    "data:": '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==" alt="">',  # noqa: E501
}


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/logo.png",
        "https://example.org/letter.css",
        rendering.ASSETS_DIR.joinpath("models.py").as_uri(),
        rendering.ASSETS_DIR.joinpath("fonts", "OFL.txt").as_uri(),
        rendering.ASSETS_DIR.joinpath("fonts", "README.md").as_uri(),
        rendering.FONTS_DIR.as_uri() + "/../rendering.py",
        rendering.FONTS_DIR.as_uri() + "/%2E%2E/models.py",
        rendering.STYLESHEET.as_uri().replace("file://", "file://fileserver"),
        "data:text/css,body{color:red}",
        "ftp://example.org/letter.css",
    ],
)
def test_fetcher_refuses_everything_but_the_stylesheet_and_fonts(url):
    with pytest.raises(ValueError, match="only their stylesheet and fonts"):
        rendering.LocalAssetsFetcher().fetch(url)


def test_fetcher_serves_the_stylesheet_and_each_font():
    fetcher = rendering.LocalAssetsFetcher()
    assert b"@font-face" in fetcher.fetch(rendering.STYLESHEET.as_uri()).read()
    fonts = sorted(rendering.FONTS_DIR.glob("*.ttf"))
    assert [path.name for path in fonts] == ["LiberationSans-Bold.ttf", "LiberationSans-Regular.ttf"]
    for path in fonts:
        assert fetcher.fetch(path.as_uri()).read(4) == b"\x00\x01\x00\x00"
    assert rendering.ALLOWED_ASSETS == {rendering.STYLESHEET, *fonts}


def test_injected_markup_loads_nothing_and_the_letter_still_renders_with_its_fonts(award, monkeypatch, caplog):
    original = rendering.render_html

    def with_injection(template_name, context):
        html = original(template_name, context)
        return html.replace("<body>", "<body>" + "".join(INJECTED.values()), 1)

    monkeypatch.setattr(rendering, "render_html", with_injection)
    with caplog.at_level("WARNING", logger="letters.rendering"):
        data = letter_bytes(services.issue_decision_letter(decision_id=award.pk))

    refused = " ".join(record.getMessage() for record in caplog.records if record.name == "letters.rendering")
    for needle in INJECTED:
        assert needle in refused, needle
    reader = PdfReader(io.BytesIO(data))
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})  # nothing attached
    for page in reader.pages:
        assert not any(
            xobject.get_object().get("/Subtype") == "/Image"
            for xobject in page["/Resources"].get("/XObject", {}).values()
        )
        fonts = [font.get_object()["/BaseFont"] for font in page["/Resources"]["/Font"].values()]
        assert fonts and all("+Letter-Sans" in name for name in fonts), fonts
    text = pdf_text(data)
    assert f"Aktenzeichen {award.application.reference_number}" in text
    assert "root:" not in text and "SECRET_KEY" not in text
