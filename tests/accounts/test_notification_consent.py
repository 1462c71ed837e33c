"""Consent to electronic notification by download (§ 41 Abs. 2a LVwVfG BW): at registration or at submission."""

import datetime

import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import NOTIFICATION_CONSENT_VERSION, NOTIFICATION_CONSENT_WORDING, User
from accounts.services import give_notification_consent
from applications.models import Application
from tests.factories import OrganisationFactory, UserFactory

from .test_registration import _register

pytestmark = pytest.mark.django_db


def test_registration_records_the_consent_with_wording_and_version(client):
    before = datetime.datetime.now(datetime.UTC)
    response = _register(client, OrganisationFactory(), notification_consent="on")
    assert response.status_code == 200
    user = User.objects.get(email="erika.muster@kommune.example")
    assert user.notification_consent_at >= before
    assert user.notification_consent_version == NOTIFICATION_CONSENT_VERSION
    assert user.notification_consent_wording == str(NOTIFICATION_CONSENT_WORDING)
    assert "§ 41 Abs. 2a LVwVfG" in user.notification_consent_wording


def test_registration_offers_the_consent_with_its_exact_wording(client):
    page = client.get(reverse("applications:register")).content.decode()
    assert 'name="notification_consent"' in page
    assert "gilt am Tag nach dem Abruf" in page


def test_registration_without_consent_records_none(client):
    _register(client, OrganisationFactory())
    user = User.objects.get(email="erika.muster@kommune.example")
    assert user.notification_consent_at is None
    assert user.notification_consent_version == "" and user.notification_consent_wording == ""


def test_submission_page_offers_the_consent_only_without_one(client, complete_draft, member):
    url = reverse("applications:overview", args=[complete_draft.pk])
    client.force_login(member.user)
    assert 'name="notification_consent"' in client.get(url).content.decode()
    give_notification_consent(user=member.user)
    assert 'name="notification_consent"' not in client.get(url).content.decode()


def test_the_consent_box_at_submission_has_its_exact_wording_as_label_and_the_help_text_attached(
    client, complete_draft, member
):
    client.force_login(member.user)
    page = client.get(reverse("applications:overview", args=[complete_draft.pk])).content.decode()
    assert 'id="id_notification_consent"' in page
    assert 'aria-describedby="id_notification_consent_helptext"' in page
    assert '<label class="form-check-label" for="id_notification_consent">' in page
    assert f"{NOTIFICATION_CONSENT_WORDING}</label>" in page
    assert 'id="id_notification_consent_helptext" class="form-text">Freiwillig.' in page
    assert "checked" not in page.split('id="id_notification_consent"')[1].split(">")[0]


def test_submission_records_the_consent(client, complete_draft, member):
    client.force_login(member.user)
    response = client.post(
        reverse("applications:submit", args=[complete_draft.pk]), {"notification_consent": "on", "declaration": "on"}
    )
    assert response.status_code == 302
    complete_draft.refresh_from_db()
    assert complete_draft.status == Application.Status.SUBMITTED
    member.user.refresh_from_db()
    assert member.user.notification_consent_at is not None
    assert member.user.notification_consent_version == NOTIFICATION_CONSENT_VERSION
    assert member.user.notification_consent_wording == str(NOTIFICATION_CONSENT_WORDING)


def test_submission_without_the_box_records_no_consent(client, complete_draft, member):
    client.force_login(member.user)
    client.post(reverse("applications:submit", args=[complete_draft.pk]), {"declaration": "on"})
    complete_draft.refresh_from_db()
    assert complete_draft.status == Application.Status.SUBMITTED
    member.user.refresh_from_db()
    assert member.user.notification_consent_at is None


def test_a_given_consent_keeps_its_time_and_wording():
    user = UserFactory()
    first = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    give_notification_consent(user=user, now=first)
    give_notification_consent(user=user, now=first + datetime.timedelta(days=30))
    user.refresh_from_db()
    assert user.notification_consent_at == first


def test_database_refuses_a_consent_without_version_or_wording():
    user = UserFactory()
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=user.pk).update(notification_consent_at=datetime.datetime.now(datetime.UTC))
