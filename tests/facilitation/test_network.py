"""Network meeting: registration per participating organisation, poster upload with the upload checks, gallery."""

from datetime import date

import pytest
from django.urls import reverse

from facilitation import services
from facilitation.models import NetworkMeetingRegistration
from tests.factories import FundingRoundFactory, MembershipFactory

from .conftest import docx_bytes, make_facilitation, pdf_upload, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(facilitation, academy):
    return services.schedule_network_meeting(
        funding_round=facilitation.application.funding_round,
        date=date(2099, 6, 20),
        venue="Haus der Wirtschaft, Stuttgart",
        programme="10 Uhr Begrüßung\n11 Uhr Posterrundgang",
        by=academy,
    )


def register_url(meeting, organisation):
    return reverse("facilitation:register", kwargs={"pk": meeting.pk, "organisation_pk": organisation.pk})


def test_registration_with_poster_and_talk(client, facilitation, meeting):
    organisation = facilitation.application.organisation
    client.force_login(facilitation.member)
    response = client.post(
        register_url(meeting, organisation),
        {
            "delegates": "Erika Muster\nMax Leitung\n",
            "delegate_count": "3",
            "talk_title": "Unser Leitbild in 5 Minuten",
            "poster": pdf_upload("Poster Musterstadt.pdf"),
        },
    )
    assert response.status_code == 302
    registration = NetworkMeetingRegistration.objects.get(meeting=meeting, organisation=organisation)
    assert (registration.delegates, registration.delegate_count) == ("Erika Muster\nMax Leitung", 3)
    assert registration.poster_name == "Poster Musterstadt.pdf"
    assert registration.poster_content_type == "application/pdf" and len(registration.poster_sha256) == 64

    gallery = client.get(reverse("facilitation:gallery", args=[meeting.pk])).content.decode()
    assert "Unser Leitbild in 5 Minuten" in gallery
    download = client.get(
        reverse("facilitation:poster_download", kwargs={"pk": meeting.pk, "registration_pk": registration.pk})
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"

    # Updating without a new file keeps the poster; the registration stays one per organisation.
    client.post(register_url(meeting, organisation), {"delegates": "Erika Muster", "delegate_count": "1"})
    registration.refresh_from_db()
    assert registration.delegate_count == 1 and registration.poster_name == "Poster Musterstadt.pdf"
    assert NetworkMeetingRegistration.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 not a poster", "poster.pdf", "Der Inhalt der Datei passt nicht zur Dateiendung"),
        (b"", "poster.pdf", "ist leer"),  # the form field already refuses it
        (b"%PDF-1.4\n/JavaScript (app.alert(1))", "poster.pdf", "aktive Inhalte"),
        (None, "poster.docx", "Als Poster sind nur PDF-, JPEG- und PNG-Dateien erlaubt."),
        (b"MZ\x90\x00 program", "poster.exe", "Als Poster sind nur PDF-, JPEG- und PNG-Dateien erlaubt."),
    ],
)
def test_bad_posters_are_refused_with_the_german_message(client, facilitation, meeting, content, name, message):
    client.force_login(facilitation.member)
    content = docx_bytes() if content is None else content
    response = client.post(
        register_url(meeting, facilitation.application.organisation),
        {"delegates": "Erika", "delegate_count": "1", "poster": upload(content, name)},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not NetworkMeetingRegistration.objects.exists()


def test_a_docx_is_a_fine_attachment_but_not_a_poster(facilitation, meeting):
    with pytest.raises(Exception, match="Als Poster sind nur"):
        services.register_for_network_meeting(
            meeting=meeting,
            organisation=facilitation.application.organisation,
            by=facilitation.member,
            delegates="Erika",
            delegate_count=1,
            poster=upload(docx_bytes(), "poster.docx"),
        )
    report = facilitation.reports.get(kind="interim")
    services.submit_report(
        report=report, by=facilitation.member, text="Bericht", uploaded_file=upload(docx_bytes(), "bericht.docx")
    )


def test_only_participating_organisations_register(academy, facilitation, meeting):
    outsider = MembershipFactory()  # no facilitation in this round
    other_round = make_facilitation(FundingRoundFactory(), by=academy)
    for member, organisation in [
        (outsider.user, outsider.organisation),
        (other_round.member, other_round.application.organisation),
    ]:
        with pytest.raises(services.FacilitationError, match="nimmt an dieser Förderrunde nicht teil"):
            services.register_for_network_meeting(
                meeting=meeting, organisation=organisation, by=member, delegates="X", delegate_count=1
            )
    with pytest.raises(services.FacilitationError, match="Nur bestätigte Mitglieder"):
        services.register_for_network_meeting(
            meeting=meeting,
            organisation=facilitation.application.organisation,
            by=outsider.user,
            delegates="X",
            delegate_count=1,
        )


@pytest.mark.parametrize(
    ("delegates", "count", "message"),
    [("", 1, "mindestens eine"), ("A\nB\nC", 2, "mehr Namen"), ("A", 11, "1 bis 10")],
)
def test_delegates_are_checked(facilitation, meeting, delegates, count, message):
    with pytest.raises(services.FacilitationError, match=message):
        services.register_for_network_meeting(
            meeting=meeting,
            organisation=facilitation.application.organisation,
            by=facilitation.member,
            delegates=delegates,
            delegate_count=count,
        )


def test_no_registration_after_the_meeting(academy, facilitation):
    past = services.schedule_network_meeting(
        funding_round=facilitation.application.funding_round, date=date(2020, 1, 1), venue="Stuttgart", by=academy
    )
    with pytest.raises(services.FacilitationError, match="bereits stattgefunden"):
        services.register_for_network_meeting(
            meeting=past,
            organisation=facilitation.application.organisation,
            by=facilitation.member,
            delegates="Erika",
            delegate_count=1,
        )


def test_staff_see_all_registrations(client, academy, facilitation, meeting):
    services.register_for_network_meeting(
        meeting=meeting,
        organisation=facilitation.application.organisation,
        by=facilitation.member,
        delegates="Erika Muster",
        delegate_count=1,
    )
    client.force_login(academy)
    page = client.get(reverse("facilitation:meeting", args=[meeting.pk])).content.decode()
    assert "Alle Anmeldungen" in page and "Erika Muster" in page
