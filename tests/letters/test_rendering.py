"""What the letters say, and that they are archivable PDFs (PDF/A-3u, fonts embedded)."""

import io

import pytest
from pypdf import PdfReader

from letters import rendering, services
from letters.models import Letter
from reviews.services import award_application, reject_application, waitlist_application

from .conftest import letter_bytes, pdf_text

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
