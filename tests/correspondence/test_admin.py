"""The academy reads the correspondence on the application's admin page; reviewers never see it."""

import pytest
from django.urls import reverse

from correspondence import services
from reviews.services import assign_reviewer
from tests.factories import make_reviewer

from .conftest import ask

pytestmark = pytest.mark.django_db


def test_the_application_page_shows_requests_and_messages_to_the_academy_only(client, submitted, academy):
    ask(submitted, academy, text="Bitte den Beschluss nachreichen.")
    services.post_message(
        application=submitted, author=submitted.member, text="Wir reichen ihn nach.", uploaded_file=None
    )
    url = reverse("admin:applications_application_change", args=[submitted.pk])

    client.force_login(academy)
    page = client.get(url).content.decode()
    assert "Bitte den Beschluss nachreichen." in page and "Wir reichen ihn nach." in page
    assert reverse("admin:correspondence_message_add") + f"?application={submitted.pk}" in page
    assert reverse("admin:correspondence_informationrequest_add") + f"?application={submitted.pk}" in page

    reviewer = make_reviewer()
    assign_reviewer(application=submitted, reviewer=reviewer, by=academy)
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200  # the reviewer reads the application itself
    page = response.content.decode()
    assert "Wir reichen ihn nach." not in page and "Bitte den Beschluss nachreichen." not in page
    assert "Unterlagen nachfordern" not in page
