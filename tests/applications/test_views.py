"""The applicant's pages: drafts survive, bad input gets German messages, nothing is lost."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Application, Attachment
from tests.factories import FundingRoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, member):
    client.force_login(member.user)
    return client


def test_dashboard_shows_open_round_with_days_left_and_start_button(logged_in, member):
    funding_round = FundingRoundFactory()
    page = logged_in.get(reverse("applications:dashboard")).content.decode()
    assert funding_round.name in page
    assert "noch 30 Tage" in page
    assert f"Antrag für {member.organisation.name} beginnen" in page


def test_start_then_save_sections_over_several_sittings(logged_in, member):
    funding_round = FundingRoundFactory()
    response = logged_in.post(reverse("applications:start", args=[funding_round.pk, member.organisation.pk]))
    application = Application.objects.get(organisation=member.organisation)
    assert response["Location"] == reverse("applications:section", args=[application.pk, "contact"])

    logged_in.post(reverse("applications:section", args=[application.pk, "goals"]), {"goals": "Leitbild", "save": ""})
    logged_in.logout()
    logged_in.force_login(member.user)
    page = logged_in.get(reverse("applications:section", args=[application.pk, "goals"])).content.decode()
    assert "Leitbild" in page


def test_save_and_next_goes_to_the_following_section(logged_in, draft):
    response = logged_in.post(reverse("applications:section", args=[draft.pk, "goals"]), {"goals": "x", "next": ""})
    assert response["Location"] == reverse("applications:section", args=[draft.pk, "participation"])


def test_failed_validation_loses_nothing_that_was_typed(logged_in, draft):
    data = {
        "contact_name": "Erika Muster",
        "contact_email": "keine-adresse",
        "lead_name": "Max Leitung",
        "postal_address": "Marktplatz 1",
        "save": "",
    }
    response = logged_in.post(reverse("applications:section", args=[draft.pk, "contact"]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bitte gültige E-Mail-Adresse eingeben." in page
    assert 'value="keine-adresse"' in page  # the invalid value is shown again for correction
    assert 'value="Max Leitung"' in page
    draft.refresh_from_db()
    assert draft.lead_name == "Max Leitung"  # the valid fields are saved as draft
    assert draft.postal_address == "Marktplatz 1"


def test_invalid_date_keeps_the_rest(logged_in, draft):
    data = {"council_body": "gemeinderat", "resolution_date": "31.02.2020", "resolution_summary": "Einstimmig"}
    response = logged_in.post(reverse("applications:section", args=[draft.pk, "commitment"]), data)
    assert "Bitte ein gültiges Datum eingeben." in response.content.decode()
    draft.refresh_from_db()
    assert draft.resolution_summary == "Einstimmig"


def test_unknown_section_is_404(logged_in, draft):
    assert logged_in.get(reverse("applications:section", args=[draft.pk, "gibtsnicht"])).status_code == 404


def _upload(client, application, name, content, content_type="application/pdf", kind="resolution"):
    return client.post(
        reverse("applications:attachments", args=[application.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def test_upload_is_stored_under_a_generated_name_with_hash_and_size(logged_in, draft, pdf_bytes):
    import hashlib

    response = _upload(logged_in, draft, "Beschluss Gemeinderat.pdf", pdf_bytes)
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.original_name == "Beschluss Gemeinderat.pdf"
    assert attachment.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert attachment.size == len(pdf_bytes)
    assert "Beschluss" not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leer.pdf", b"", "Die übertragene Datei ist leer."),
        ("bild.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "passt nicht zur Dateiendung"),
        ("programm.pdf", b"MZ\x90\x00" + b"\0" * 64, "Dateiendung"),
        ("text.pdf", b"Hallo Welt", "Dateiendung"),
    ],
)
def test_bad_uploads_are_refused_with_a_german_message(logged_in, draft, name, content, message):
    response = _upload(logged_in, draft, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_too_large_upload_is_refused(logged_in, draft, settings, pdf_bytes):
    settings.ATTACHMENT_MAX_BYTES = 100
    response = _upload(logged_in, draft, "gross.pdf", pdf_bytes)
    assert "Die Datei ist zu groß" in response.content.decode()
    assert not Attachment.objects.exists()


def test_incomplete_submission_via_view_lists_what_is_missing(logged_in, draft):
    response = logged_in.post(reverse("applications:submit", args=[draft.pk]), follow=True)
    page = response.content.decode()
    assert "Der Antrag ist noch nicht vollständig. Es fehlen:" in page
    assert "Beschluss als Anlage" in page
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_submitted_application_is_read_only(logged_in, complete_draft):
    logged_in.post(reverse("applications:submit", args=[complete_draft.pk]), {"declaration": "on"})
    complete_draft.refresh_from_db()
    assert complete_draft.status == Application.Status.SUBMITTED
    response = logged_in.get(reverse("applications:section", args=[complete_draft.pk, "goals"]))
    assert response["Location"] == reverse("applications:overview", args=[complete_draft.pk])
    logged_in.post(reverse("applications:section", args=[complete_draft.pk, "goals"]), {"goals": "geändert"})
    complete_draft.refresh_from_db()
    assert complete_draft.goals != "geändert"
    response = _upload(logged_in, complete_draft, "nachtrag.pdf", b"%PDF-1.4")
    assert complete_draft.attachments.count() == 1


def test_receipt_page_after_submission(logged_in, complete_draft):
    response = logged_in.post(
        reverse("applications:submit", args=[complete_draft.pk]), {"declaration": "on"}, follow=True
    )
    complete_draft.refresh_from_db()
    page = response.content.decode()
    assert "Eingangsbestätigung" in page
    assert complete_draft.reference_number in page


def test_home_page_is_german_and_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()
    assert "Offene Ausschreibungen" in response.content.decode()


def test_dashboard_query_count_does_not_grow_with_applications(client, django_assert_max_num_queries):
    from tests.conftest import complete
    from tests.factories import ApplicationFactory, MembershipFactory

    member = MembershipFactory()
    client.force_login(member.user)
    for _ in range(2):
        complete(ApplicationFactory(organisation=member.organisation))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("applications:dashboard"))
    for _ in range(8):
        complete(ApplicationFactory(organisation=member.organisation))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("applications:dashboard"))


# --- German numbers: "12,5" is 12.5, never 125 --------------------------------------------


@pytest.mark.parametrize("typed", ["12,5", "12.5"])
def test_hours_typed_the_german_or_the_browser_way_are_twelve_and_a_half(logged_in, draft, typed):
    url = reverse("applications:section", args=[draft.pk, "resources"])
    response = logged_in.post(url, {"staff_hours_per_week": typed, "save": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert str(draft.staff_hours_per_week) == "12.5"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.234,50", "Dieser Wert muss kleiner oder gleich 400 sein."),
        ("-1", "Dieser Wert muss größer oder gleich 0 sein."),
        ("1,234.5", "Bitte eine Zahl eingeben."),
    ],
)
def test_hours_out_of_bounds_get_a_german_message(logged_in, draft, typed, message):
    url = reverse("applications:section", args=[draft.pk, "resources"])
    response = logged_in.post(url, {"staff_hours_per_week": typed, "rooms": "Ratssaal", "save": ""})
    assert response.status_code == 200
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.staff_hours_per_week is None
    assert draft.rooms == "Ratssaal"  # the valid fields are still saved as draft


def test_hours_input_carries_its_bounds(logged_in, draft):
    page = logged_in.get(reverse("applications:section", args=[draft.pk, "resources"])).content.decode()
    field = re.search(r"<input[^>]*name=\"staff_hours_per_week\"[^>]*>", page).group(0)
    assert 'type="number"' in field
    assert 'min="0"' in field and 'max="400"' in field and 'step="0.1"' in field


def test_the_dashboard_counts_the_colleagues_requests_a_member_may_decide(client):
    """Requests to join organisations where the user is a confirmed member, not their own, not elsewhere."""
    from applications.models import Membership
    from applications.selectors import pending_memberships_for
    from tests.factories import MembershipFactory, OrganisationFactory

    mine = MembershipFactory()
    user = mine.user
    other = MembershipFactory(user=user, organisation=OrganisationFactory()).organisation
    requested_only = MembershipFactory(
        user=user, organisation=OrganisationFactory(), status=Membership.Status.REQUESTED
    ).organisation
    for organisation in (mine.organisation, mine.organisation, other, requested_only):
        MembershipFactory(organisation=organisation, status=Membership.Status.REQUESTED)
    MembershipFactory(organisation=other, status=Membership.Status.REJECTED)
    client.force_login(user)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert pending_memberships_for(user).count() == 3
    assert "3 offene Beitrittsanfragen von Kolleginnen und Kollegen" in " ".join(page.split())
    colleague = MembershipFactory(organisation=requested_only).user  # the user's request counts for them
    client.force_login(colleague)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert pending_memberships_for(colleague).count() == 2
    assert "2 offene Beitrittsanfragen von Kolleginnen und Kollegen" in " ".join(page.split())
    MembershipFactory(organisation=OrganisationFactory(), status=Membership.Status.REQUESTED, user=colleague)
    client.force_login(MembershipFactory(organisation=other).user)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "1 offene Beitrittsanfrage von Kolleginnen und Kollegen" in " ".join(page.split())


def test_the_section_navigation_marks_the_commitment_done_only_with_the_resolution_attached(client, draft, member):
    """The section pages read only whether the resolution is attached (an annotation), not the attachments."""
    from applications.forms import SECTIONS
    from tests.conftest import complete

    complete(draft, with_resolution=False)
    client.force_login(member.user)
    url = reverse("applications:section", args=[draft.pk, SECTIONS[0].slug])

    def done_sections():
        page = client.get(url).content.decode()
        items = page.split('<li class="list-group-item')[1 : len(SECTIONS) + 1]
        return [section.slug for section, item in zip(SECTIONS, items, strict=True) if "(vollständig)" in item]

    assert "commitment" not in done_sections() and "contact" in done_sections()
    Attachment.objects.create(
        application=draft, kind=Attachment.Kind.OTHER, original_name="x.pdf", content_type="application/pdf", size=1
    )
    assert "commitment" not in done_sections()
    Attachment.objects.create(
        application=draft,
        kind=Attachment.Kind.RESOLUTION,
        original_name="b.pdf",
        content_type="application/pdf",
        size=1,
    )
    assert "commitment" in done_sections()
