"""A request for missing items reopens exactly the named sections and attachments; the re-submission
keeps the reference number and records the diff."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services as application_services
from applications.forms import SECTIONS
from applications.models import Application, Attachment
from correspondence import services
from correspondence.models import InformationRequest
from tests.conftest import make_pdf

from .conftest import ask


def test_request_moves_the_application_to_rueckfrage_offen(submitted, academy, client):
    request = ask(submitted, academy)
    application = request.application
    assert application.status == Application.Status.INFO_REQUESTED
    assert application.get_status_display() == "Rückfrage offen"
    assert application.reopened_sections == ["goals"]
    assert application.reopened_attachment_kinds == ["resolution"]
    client.force_login(submitted.member)
    page = client.get(reverse("applications:overview", args=[submitted.pk])).content.decode()
    assert "Rückfrage offen" in page
    assert reverse("correspondence:requests", args=[submitted.pk]) in page


def test_only_academy_staff_may_ask(submitted):
    with pytest.raises(services.CorrespondenceError):
        ask(submitted, submitted.member)
    assert Application.objects.get(pk=submitted.pk).status == Application.Status.SUBMITTED


@pytest.mark.parametrize("section", [s for s in SECTIONS if s.slug != "goals"], ids=lambda s: s.slug)
def test_every_other_section_stays_frozen(submitted, academy, section):
    application = ask(submitted, academy).application
    field = section.fields[0]
    with pytest.raises(application_services.ApplicationError, match="nicht zur Änderung freigegeben"):
        application_services.update_application(application=application, user=submitted.member, data={field: "neu"})


def test_the_named_section_reopens(submitted, academy):
    application = ask(submitted, academy).application
    application_services.update_application(application=application, user=submitted.member, data={"goals": "Neu."})
    assert Application.objects.get(pk=submitted.pk).goals == "Neu."


def test_other_attachment_kinds_stay_frozen(submitted, academy):
    application = ask(submitted, academy, attachment_kinds=["other"]).application
    upload = SimpleUploadedFile("neu.pdf", make_pdf(), content_type="application/pdf")
    with pytest.raises(application_services.ApplicationError, match="nicht zur Änderung freigegeben"):
        application_services.add_attachment(
            application=application, user=submitted.member, uploaded_file=upload, kind=Attachment.Kind.RESOLUTION
        )
    with pytest.raises(application_services.ApplicationError, match="nicht zur Änderung freigegeben"):
        application_services.remove_attachment(attachment=application.attachments.get(), user=submitted.member)
    upload.seek(0)
    application_services.add_attachment(
        application=application, user=submitted.member, uploaded_file=upload, kind=Attachment.Kind.OTHER
    )


def test_a_frozen_section_page_redirects_and_changes_nothing(submitted, academy, client):
    ask(submitted, academy)
    client.force_login(submitted.member)
    response = client.post(reverse("applications:section", args=[submitted.pk, "situation"]), {"rooms": "x"})
    assert response.status_code == 302
    response = client.post(
        reverse("applications:section", args=[submitted.pk, "goals"]), {"goals": "Über die Seite geändert."}
    )
    assert response.status_code == 302
    application = Application.objects.get(pk=submitted.pk)
    assert application.goals == "Über die Seite geändert."
    assert application.rooms == submitted.rooms


def test_unconfirmed_or_other_users_cannot_edit_the_reopened_section(submitted, academy):
    from tests.factories import MembershipFactory

    application = ask(submitted, academy).application
    with pytest.raises(application_services.ApplicationError):
        application_services.update_application(
            application=application, user=MembershipFactory().user, data={"goals": "fremd"}
        )


def test_resubmission_keeps_the_reference_and_records_the_diff(submitted, academy, client):
    request = ask(submitted, academy)
    application, member = request.application, submitted.member
    old_attachment = application.attachments.get()
    application_services.update_application(application=application, user=member, data={"goals": "Neue Ziele."})
    application_services.remove_attachment(attachment=old_attachment, user=member)
    upload = SimpleUploadedFile("beschluss-neu.pdf", make_pdf("Neu"), content_type="application/pdf")
    new_attachment = application_services.add_attachment(
        application=application, user=member, uploaded_file=upload, kind=Attachment.Kind.RESOLUTION
    )
    services.answer_information_request(information_request=request, user=member, text="Erledigt.")

    application = Application.objects.get(pk=submitted.pk)
    assert application.reference_number == submitted.reference_number
    assert application.status == Application.Status.SUBMITTED
    assert application.resubmitted_at is not None
    assert application.reopened_sections == [] and application.reopened_attachment_kinds == []
    assert InformationRequest.objects.get(pk=request.pk).status == InformationRequest.Status.ANSWERED

    event = application.events.get(action="resubmitted")
    assert event.data["changes"] == [
        {
            "field": "goals",
            "label": "Ziele für die zwei Jahre der Prozessbegleitung",
            "before": "Leitbild entwickeln.",
            "after": "Neue Ziele.",
        }
    ]
    assert [(a["name"], a["sha256"]) for a in event.data["attachments_added"]] == [
        ("beschluss-neu.pdf", new_attachment.sha256)
    ]
    assert [(a["name"], a["sha256"]) for a in event.data["attachments_removed"]] == [
        ("beschluss.pdf", old_attachment.sha256)
    ]
    assert "„Leitbild entwickeln.“ → „Neue Ziele.“" in event.details
    assert old_attachment.sha256 in event.details

    # Staff read the diff on the application's admin page.
    client.force_login(academy)
    page = client.get(reverse("admin:applications_application_change", args=[submitted.pk])).content.decode()
    assert "Antrag erneut eingereicht" in page
    assert "Neue Ziele." in page and new_attachment.sha256 in page


def test_a_request_in_review_returns_to_review(academy):
    from tests.conftest import submitted_application
    from tests.factories import FundingRoundFactory

    application = submitted_application(FundingRoundFactory(closed=True), by=academy)  # review after the deadline
    request = ask(application, academy, sections=[], attachment_kinds=[])
    services.answer_information_request(information_request=request, user=application.member)
    assert Application.objects.get(pk=application.pk).status == Application.Status.IN_REVIEW


def test_answer_through_the_page(submitted, academy, client):
    ask(submitted, academy)
    client.force_login(submitted.member)
    assert client.get(reverse("correspondence:requests", args=[submitted.pk])).status_code == 200
    response = client.post(reverse("correspondence:answer", args=[submitted.pk]), {"text": "Siehe Anlage."})
    assert response.status_code == 302
    application = Application.objects.get(pk=submitted.pk)
    assert application.status == Application.Status.SUBMITTED
    assert application.messages.filter(text="Siehe Anlage.", from_academy=False).exists()


def test_reviewer_sees_that_the_application_changed_after_the_review(academy, client):
    from reviews import services as review_services
    from tests.conftest import submitted_application
    from tests.factories import FundingRoundFactory, make_reviewer

    application = submitted_application(FundingRoundFactory(closed=True), by=academy)  # review after the deadline
    reviewer = make_reviewer()
    review = review_services.assign_reviewer(application=application, reviewer=reviewer, by=academy)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    client.force_login(reviewer)
    note = "nach Ihrer Bewertung geändert"
    assert note not in client.get(url).content.decode()
    request = ask(application, academy)
    services.answer_information_request(information_request=request, user=application.member)
    assert note in client.get(url).content.decode()


def test_a_proposal_made_before_a_resubmission_cannot_be_released(academy):
    # The proposal rests on the content before the request; after the answer it must be made anew.
    from reviews.models import Decision
    from reviews.services import ReviewError, propose_decision, release_decision
    from tests.conftest import submitted_application
    from tests.factories import FundingRoundFactory, make_academy_staff

    funding_round = FundingRoundFactory(closed=True, four_eyes=True)
    application = submitted_application(funding_round, by=academy)
    proposal = propose_decision(application=application, kind=Decision.Kind.AWARD, by=academy)
    request = ask(application, academy, sections=["goals"], attachment_kinds=[])
    services.answer_information_request(information_request=request, user=application.member)

    with pytest.raises(ReviewError, match="erneut eingereicht"):
        release_decision(decision=proposal, by=make_academy_staff())
    proposal.refresh_from_db()
    assert proposal.status == Decision.Status.PROPOSED
    assert Application.objects.get(pk=application.pk).status == Application.Status.IN_REVIEW
