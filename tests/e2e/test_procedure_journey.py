"""Acceptance test of the procedure issue 9 asks for, in a real browser: the academy asks for a
missing attachment, the municipality uploads it and re-submits, the academy sees what changed,
awards after the deadline through the confirmation page, the municipality downloads the Bescheid,
and the academy sees the notification date and the end of the remedy period."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import give_notification_consent
from applications.models import Application, Attachment
from letters.deadlines import remedy_period_end
from letters.models import Letter, LetterDownload
from tests.conftest import make_pdf, submitted_application
from tests.factories import FundingRoundFactory, make_academy_staff

from .conftest import field, log_in

pytestmark = pytest.mark.browser


def _messages(page):
    return page.locator("ul.messagelist")


def test_request_resubmission_award_download_and_notification(new_context, live_server, axe, tmp_path):
    funding_round = FundingRoundFactory(name="Ausschreibung 2020", code="IE2020", four_eyes=False, closed=True)
    application = submitted_application(funding_round, organisation_name="Esslingen am Neckar")  # in review
    member = application.member
    give_notification_consent(user=member)
    staff_user = make_academy_staff(first_name="Anna", last_name="Akademie")

    # --- The academy asks for a missing attachment ("Weitere Anlage"), nothing else reopens. ---
    staff_context = new_context()
    log_in(staff_context, live_server, staff_user)
    staff = staff_context.new_page()
    staff.goto(f"/admin/correspondence/informationrequest/add/?application={application.pk}")
    staff.get_by_label("Rückfrage").fill("Bitte reichen Sie den Kooperationsvertrag mit dem Integrationsbeirat nach.")
    staff.get_by_label("Frist").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    staff.get_by_role("checkbox", name="Weitere Anlage").check()
    staff.get_by_role("button", name="Senden").click()
    expect(_messages(staff)).to_contain_text("Die Rückfrage wurde gesendet.")
    assert Application.objects.get(pk=application.pk).status == Application.Status.INFO_REQUESTED

    # --- The municipality uploads the attachment and re-submits; the reference number stays. ---
    applicant_context = new_context()
    log_in(applicant_context, live_server, member)
    applicant = applicant_context.new_page()
    applicant.goto(f"/portal/antrag/{application.pk}/")
    applicant.get_by_role("link", name="Rückfrage beantworten und Antrag erneut einreichen").click()
    expect(applicant.get_by_role("heading", level=1)).to_contain_text("Rückfragen zum Antrag Esslingen am Neckar")
    axe(applicant, label=f"request page ({applicant.url})")
    applicant.get_by_role("link", name="Anlage: Weitere Anlage").click()
    contract = tmp_path / "kooperationsvertrag.pdf"
    contract.write_bytes(make_pdf("Kooperationsvertrag"))
    applicant.get_by_label("Art der Anlage").select_option(label="Weitere Anlage")
    applicant.get_by_label(field("Datei")).set_input_files(contract)
    applicant.get_by_role("button", name="Hochladen").click()
    expect(applicant.get_by_role("link", name="kooperationsvertrag.pdf")).to_be_visible()
    applicant.goto(f"/portal/antrag/{application.pk}/rueckfragen/")
    applicant.get_by_label("Ihre Antwort an die Akademie (optional)").fill("Der Vertrag liegt jetzt bei.")
    applicant.get_by_role("button", name="Antrag erneut einreichen").click()
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    assert application.reference_number == "IE2020-0001"
    uploaded = Attachment.objects.get(application=application, original_name="kooperationsvertrag.pdf")

    # --- The academy sees what changed, then awards through the confirmation page. ---
    staff.goto(f"/admin/applications/application/{application.pk}/change/")
    content = staff.locator("#content-main")
    expect(content).to_contain_text("Antrag erneut eingereicht")
    expect(content).to_contain_text(uploaded.sha256)
    staff.get_by_label("Betrag (EUR)").fill("38500,00")
    staff.get_by_role("button", name="Bewilligen", exact=True).click()
    expect(staff.get_by_role("table", name="Betroffene Anträge")).to_contain_text("38.500,00")
    expect(content).to_contain_text("nur durch einen neuen Bescheid korrigieren")
    assert not Letter.objects.filter(application=application).exclude(kind=Letter.Kind.RECEIPT).exists()
    staff.get_by_role("button", name="Verbindlich bestätigen").click()
    expect(_messages(staff)).to_contain_text("ist freigegeben")
    application.refresh_from_db()
    assert (application.status, application.awarded_amount) == (Application.Status.AWARDED, Decimal("38500.00"))
    bescheid = Letter.objects.get(application=application, kind=Letter.Kind.AWARD)

    # --- The municipality downloads the Bescheid from the dashboard. ---
    applicant.goto("/portal/")
    with applicant.expect_download() as download:
        applicant.get_by_role("link", name=re.compile(r"^Bescheid – Aufnahme in die Prozessbegleitung")).click()
    assert download.value.suggested_filename.endswith(".pdf")
    first = LetterDownload.objects.get(letter=bescheid)
    assert first.user == member and first.sha256 == bescheid.sha256

    # --- The academy sees the notification date (the day after) and the end of the remedy period. ---
    notified = timezone.localtime(first.downloaded_at).date() + timedelta(days=1)
    staff.goto(f"/admin/letters/letter/bekanntgabe/{funding_round.pk}/")
    row = staff.get_by_role("row").filter(has_text="Esslingen am Neckar")
    expect(row).to_contain_text(notified.strftime("%d.%m.%Y"))
    expect(row).to_contain_text(remedy_period_end(notified).strftime("%d.%m.%Y"))
    axe(staff, label=f"notification overview ({staff.url})")
