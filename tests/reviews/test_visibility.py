"""Only released decisions are visible outside the academy: a proposal (four eyes) changes nothing
the applicant or the public sees; the public list of participating municipalities shows a round
only once its decisions are released (``applications.selectors.published_rounds``)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from applications.selectors import participating_organisations, published_rounds
from letters.models import Letter
from reviews.models import Decision
from reviews.services import propose_decision, release_decision
from tests.conftest import submitted_application
from tests.factories import FundingRoundFactory, make_academy_staff

pytestmark = pytest.mark.django_db

DECISION_WORDS = ("bewilligt", "Bewilligung", "Zusage", "abgelehnt", "Ablehnung", "Nachrückliste", "40.000")


@pytest.fixture
def four_eyes_round(two_place_round):
    two_place_round.four_eyes = True
    two_place_round.save()
    return two_place_round


def _applicant_pages(client, application):
    client.force_login(application.member)
    urls = [
        reverse("applications:dashboard"),
        reverse("applications:overview", args=[application.pk]),
        reverse("applications:receipt", args=[application.pk]),
        reverse("applications:attachments", args=[application.pk]),
        reverse("applications:members"),
        reverse("home"),
    ]
    pages = {}
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


@pytest.mark.parametrize("kind", [Decision.Kind.AWARD, Decision.Kind.REJECT, Decision.Kind.WAITLIST])
def test_a_proposed_decision_is_invisible_on_every_applicant_and_public_page(
    client, academy, four_eyes_round, application, kind, mailoutbox, django_capture_on_commit_callbacks
):
    before = _applicant_pages(client, application)
    with django_capture_on_commit_callbacks(execute=True):
        propose_decision(application=application, kind=kind, by=academy, reasons="Nicht förderfähig.")
    after = _applicant_pages(client, application)
    for url, page in after.items():
        for word in DECISION_WORDS:
            assert page.count(word) == before[url].count(word), (url, word)
    assert "Esslingen am Neckar" not in client.get(reverse("home")).content.decode()
    assert mailoutbox == []
    assert not Letter.objects.filter(application=application).exclude(kind=Letter.Kind.RECEIPT).exists()


def test_the_public_list_waits_for_the_release(client, academy, four_eyes_round, application):
    colleague = make_academy_staff()
    proposal = propose_decision(application=application, kind=Decision.Kind.AWARD, by=academy)
    assert "Esslingen am Neckar" not in client.get(reverse("home")).content.decode()
    release_decision(decision=proposal, by=colleague)
    page = client.get(reverse("home")).content.decode()
    assert "Esslingen am Neckar" in page
    assert four_eyes_round.name in page


def test_published_rounds_rule(academy, four_eyes_round, application):
    colleague = make_academy_staff()
    other = submitted_application(four_eyes_round, by=academy)
    # Deadline passed, nothing awarded: not published.
    assert four_eyes_round not in published_rounds()
    award = propose_decision(application=application, kind=Decision.Kind.AWARD, by=academy)
    release_decision(decision=award, by=colleague)
    assert four_eyes_round in published_rounds()
    # A second decision awaiting its release holds the whole round back (no partial list).
    pending = propose_decision(application=other, kind=Decision.Kind.REJECT, by=academy, reasons="Grund.")
    assert four_eyes_round not in published_rounds()
    assert not participating_organisations().exists()
    release_decision(decision=pending, by=colleague)
    assert list(participating_organisations()) == [application]


def test_an_open_round_is_never_published_even_with_an_awarded_application():
    funding_round = FundingRoundFactory()
    application = submitted_application(funding_round, in_review=False)
    # Awarded directly (as a data import or an old record could have it): still hidden before the deadline.
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.AWARDED, awarded_amount=funding_round.max_per_package
    )
    assert funding_round not in published_rounds()
    assert funding_round in published_rounds(now=funding_round.deadline + timedelta(seconds=1))
    assert funding_round not in published_rounds(now=funding_round.deadline)
    assert published_rounds(now=timezone.now()).count() == 0
