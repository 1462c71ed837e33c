"""Submitting needs the member's declaration, recorded with who, when, the wording and its version;
withdrawing needs an explicit confirmation (a bare POST does nothing)."""

import pytest
from django.urls import reverse

from applications.models import Application
from applications.services import (
    DECLARATION_VERSION,
    ApplicationError,
    declaration_text,
    submit_application,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, member):
    """The client, logged in as the draft's confirmed member."""
    client.force_login(member.user)
    yield client
    client.logout()


def test_the_service_refuses_a_submission_without_the_declaration(complete_draft, member):
    with pytest.raises(ApplicationError) as refused:
        submit_application(application=complete_draft, user=member.user)
    assert "Erklärung" in refused.value.message
    complete_draft.refresh_from_db()
    assert complete_draft.status == Application.Status.DRAFT
    assert complete_draft.reference_number is None


def test_the_declaration_names_the_organisation(member):
    text = declaration_text(member.organisation)
    assert text.startswith("Die Angaben sind vollständig und richtig; ich bin berechtigt, den Antrag für ")
    assert member.organisation.name in text
    assert text.endswith("einzureichen; der Beschluss des Gremiums liegt vor.")


def test_the_overview_shows_the_declaration_checkbox_with_a_label(logged_in, complete_draft, member):
    page = logged_in.get(reverse("applications:overview", args=[complete_draft.pk])).content.decode()
    assert 'name="declaration"' in page
    assert 'for="id_declaration"' in page and 'id="id_declaration"' in page
    assert member.organisation.name in page


def test_a_submission_without_the_ticked_declaration_does_nothing(logged_in, complete_draft, mailoutbox):
    response = logged_in.post(reverse("applications:submit", args=[complete_draft.pk]), follow=True)
    assert "Bitte bestätigen Sie vor dem Einreichen die Erklärung" in response.content.decode()
    complete_draft.refresh_from_db()
    assert complete_draft.status == Application.Status.DRAFT
    assert not complete_draft.events.filter(action="submitted").exists()
    assert mailoutbox == []


def test_the_declaration_is_recorded_with_who_when_wording_and_version(logged_in, complete_draft, member):
    logged_in.post(reverse("applications:submit", args=[complete_draft.pk]), {"declaration": "on"})
    complete_draft.refresh_from_db()
    assert complete_draft.status == Application.Status.SUBMITTED
    event = complete_draft.events.get(action="submitted")
    assert event.actor == member.user
    assert event.created_at is not None
    assert event.data["declaration"] == declaration_text(member.organisation)
    assert event.data["declaration_version"] == DECLARATION_VERSION
    assert "Erklärung: Die Angaben sind vollständig und richtig" in event.details


def test_a_bare_withdraw_post_does_nothing(logged_in, complete_draft):
    response = logged_in.post(reverse("applications:withdraw", args=[complete_draft.pk]), follow=True)
    assert "Bitte bestätigen Sie, dass Sie den Antrag zurückziehen möchten." in response.content.decode()
    complete_draft.refresh_from_db()
    assert complete_draft.status == Application.Status.DRAFT
    assert complete_draft.withdrawn_at is None


def test_withdrawing_with_the_confirmation(logged_in, complete_draft):
    page = logged_in.get(reverse("applications:overview", args=[complete_draft.pk])).content.decode()
    assert 'name="confirm"' in page and 'for="id_confirm"' in page
    logged_in.post(reverse("applications:withdraw", args=[complete_draft.pk]), {"confirm": "on"})
    complete_draft.refresh_from_db()
    assert complete_draft.status == Application.Status.WITHDRAWN
