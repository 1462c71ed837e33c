"""The admin's history and event pages: German, local times, and no link a viewer may not follow.

Reviewers and moderators are staff with narrow rights; Django links every read-only foreign key
and simple_history links every person who changed something, so they used to meet links that
answered 403 (accounts, rounds, organisations, the application behind a facilitation).
"""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from reviews.services import assign_reviewer
from tests.facilitation.conftest import make_facilitation, make_moderator

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/admin/[^"#]*)"')
ENGLISH = ["View history", "Changes", "Date/time", "Changed by", "None", "Comment", "Change reason", "entries"]


def admin_links(client, url):
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    html = page.content.decode()
    return html, sorted({href.replace("&amp;", "&") for href in HREF.findall(html)})


def assert_every_link_opens(client, url):
    """Follow every admin link of the page as the same user: none may answer 403 (or 404)."""
    html, links = admin_links(client, url)
    assert links, f"no admin links found on {url}"
    refused = [(href, status) for href in links if (status := client.get(href).status_code) in (403, 404)]
    assert not refused, f"{url} links to pages its viewer may not open: {refused}"
    return html


def text_of(html):
    main = html[html.index('id="content"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def review(application, reviewer, academy):
    return assign_reviewer(application=application, reviewer=reviewer, by=academy)


def history_pages(obj, admin_name):
    version = obj.history.latest()
    return [
        reverse(f"admin:{admin_name}_history", args=[obj.pk]),
        reverse(f"admin:{admin_name}_simple_history", args=[obj.pk, version.history_id]),
    ]


def test_reviewer_follows_every_link_on_history_and_event_pages(client, reviewer, review):
    client.force_login(reviewer)
    pages = [
        *history_pages(review.application, "applications_application"),
        reverse("admin:applications_application_change", args=[review.application.pk]),  # events inline
        *history_pages(review, "reviews_review"),
    ]
    for url in pages:
        assert_every_link_opens(client, url)


def test_moderator_follows_every_link_on_the_facilitation_and_its_history(client, academy):
    moderator = make_moderator(staff_user=academy, email="moderatorin@fa.example")
    facilitation = make_facilitation(by=academy, facilitators=[moderator])
    client.force_login(moderator.user)
    for url in [
        reverse("admin:facilitation_facilitation_change", args=[facilitation.pk]),  # events inline
        reverse("admin:facilitation_facilitation_history", args=[facilitation.pk]),
    ]:
        html = assert_every_link_opens(client, url)
        assert "/admin/accounts/user/" not in html
    # The events name the person who acted, as text.
    change = client.get(reverse("admin:facilitation_facilitation_change", args=[facilitation.pk])).content.decode()
    assert str(academy) in change


def test_history_is_german_with_labels_and_local_times(client, reviewer, review):
    application = review.application
    # The move to review at 22:30 UTC on 6 March 2020 was 23:30 in Karlsruhe.
    application.history.exclude(status="in_review").update(history_date=datetime(2020, 3, 6, 21, 0, tzinfo=UTC))
    application.history.filter(status="in_review").update(history_date=datetime(2020, 3, 6, 22, 30, tzinfo=UTC))
    client.force_login(reviewer)

    listing = text_of(
        client.get(reverse("admin:applications_application_history", args=[application.pk])).content.decode()
    )
    assert "Änderungsprotokoll: " in listing
    assert "06.03.2020, 23:30 Uhr" in listing
    assert "Status: eingereicht → in Prüfung" in listing
    for english in ENGLISH:
        assert english not in listing, english
    assert "in_review" not in listing and "submitted" not in listing

    version = application.history.get(status="in_review")
    url = reverse("admin:applications_application_simple_history", args=[application.pk, version.history_id])
    page = text_of(client.get(url).content.decode())
    assert "Stand vom 6. März 2020, 23:30 Uhr: " in page


def test_version_page_is_read_only_even_for_a_reviewer_who_may_change_the_review(client, reviewer, review):
    client.force_login(reviewer)
    page = client.get(history_pages(review, "reviews_review")[1]).content.decode()
    assert "<select" not in page and "<textarea" not in page
    assert 'name="_save"' not in page
    assert client.post(history_pages(review, "reviews_review")[1], {}).status_code == 403


def test_academy_staff_keep_the_links_to_people_and_objects(client, academy, review):
    client.force_login(academy)
    html, links = admin_links(client, reverse("admin:applications_application_history", args=[review.application.pk]))
    assert reverse("admin:accounts_user_change", args=[academy.pk]) in links
    html, links = admin_links(client, history_pages(review.application, "applications_application")[1])
    assert reverse("admin:applications_organisation_change", args=[review.application.organisation.pk]) in links
