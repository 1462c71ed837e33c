"""The links in account e-mails: one purpose each, expiring, and no account takeover through them."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.services import verification_url
from accounts.tokens import email_verification_token
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER_PASSWORD = "Angreifer-Passwort-99"
VICTIM_PASSWORD = "Opfer-eigenes-Passwort-7"
VICTIM = "opfer@kommune.example"


def _uid(user):
    return urlsafe_base64_encode(force_bytes(user.pk))


def _register(client, email, password):
    data = {
        "first_name": "Eve",
        "last_name": "Angreifer",
        "email": email,
        "job_title": "Sachbearbeitung",
        "phone": "",
        "organisation": OrganisationFactory().pk,
        "password1": password,
        "password2": password,
        "privacy": "on",
    }
    return client.post(reverse("applications:register"), data)


def _link(message):
    return re.search(r"https?://[^/]+(/konto/bestaetigen/\S+/)", message.body).group(1)


def _can_log_in(client, email, password):
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    client.logout()
    return response.status_code == 302


def test_a_verification_token_fails_at_the_reset_url(client):
    user = UserFactory(email="konto@kommune.example")
    token = email_verification_token.make_token(user)
    response = client.get(reverse("accounts:password_reset_confirm", args=[_uid(user), token]), follow=True)
    assert "Der Link ist ungültig oder abgelaufen" in response.content.decode()
    assert not response.context["validlink"]


def test_a_reset_token_fails_at_the_verification_url(client):
    user = UserFactory(email="konto@kommune.example", is_active=False)
    token = default_token_generator.make_token(user)
    assert client.get(reverse("accounts:verify", args=[_uid(user), token])).status_code == 400
    response = client.post(reverse("accounts:verify", args=[_uid(user), token]), {"password": "Sicheres-Passwort-1"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_verification_tokens_expire(client, settings):
    user = UserFactory(email="konto@kommune.example", is_active=False)
    link = verification_url(user)
    assert client.get(link).status_code == 200
    # The generator's clock (naive local time, as Django's) three days and a second on.
    later = datetime.now() + timedelta(seconds=settings.EMAIL_VERIFICATION_TIMEOUT + 1)
    email_verification_token._now = lambda: later
    try:
        assert client.get(link).status_code == 400
        assert client.post(link, {"password": "Sicheres-Passwort-1"}).status_code == 400
    finally:
        del email_verification_token._now
    user.refresh_from_db()
    assert not user.is_active


def _without_csrf(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_verification_answers_reveal_nothing(client):
    user = UserFactory(email="konto@kommune.example", is_active=False)
    unknown = client.get(reverse("accounts:verify", args=[urlsafe_base64_encode(b"999999"), "abc-123"]))
    garbage = client.get(reverse("accounts:verify", args=["!!", "abc-123"]))
    bad_token = client.get(reverse("accounts:verify", args=[_uid(user), "abc-123"]))
    used = UserFactory(email="benutzt@kommune.example", is_active=False)
    used_link = verification_url(used)
    client.post(used_link, {"password": "Sicheres-Passwort-1"})
    client.logout()
    reused = client.get(used_link)
    answers = [unknown, garbage, bad_token, reused]
    assert {r.status_code for r in answers} == {400}
    assert len({_without_csrf(r) for r in answers}) == 1


def test_opening_the_link_alone_verifies_nothing(client):
    user = UserFactory(email="konto@kommune.example", is_active=False)
    assert client.get(verification_url(user)).status_code == 200
    user.refresh_from_db()
    assert not user.is_active and user.email_verified_at is None


def test_takeover_by_registering_someone_elses_address_fails(client, django_capture_on_commit_callbacks):
    # The attacker registers the victim's address with the attacker's password.
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, VICTIM, ATTACKER_PASSWORD)
    (message,) = mail.outbox
    assert message.to == [VICTIM]

    # The victim clicks the link: it asks for the registration's password, which the victim does not know,
    # so the victim chooses a new one.
    victim = client.__class__()
    link = _link(message)
    assert "Neues Passwort festlegen" in victim.get(link).content.decode()
    wrong = victim.post(link, {"password": VICTIM_PASSWORD})
    assert wrong.status_code == 200 and "Das Passwort stimmt nicht" in wrong.content.decode()
    response = victim.post(link + "?neu=1", {"new_password1": VICTIM_PASSWORD, "new_password2": VICTIM_PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email=VICTIM)
    assert user.is_active and user.email_verified_at

    assert not _can_log_in(client, VICTIM, ATTACKER_PASSWORD)
    assert _can_log_in(victim, VICTIM, VICTIM_PASSWORD)


def test_registering_an_unverified_address_again_voids_the_earlier_password(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, VICTIM, ATTACKER_PASSWORD)
    victim = client.__class__()
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(victim, VICTIM, VICTIM_PASSWORD)
    assert "Fast geschafft" in response.content.decode()
    assert User.objects.filter(email=VICTIM).count() == 1
    user = User.objects.get(email=VICTIM)
    assert not user.has_usable_password() and not user.is_active

    first, second = mail.outbox
    assert second.to == [VICTIM] and "Passwort fest" in second.body
    # The first link died with the earlier password; the new one asks for a new password.
    assert victim.get(_link(first)).status_code == 400
    page = victim.get(_link(second)).content.decode()
    assert "Passwort festlegen und bestätigen" in page
    response = victim.post(_link(second), {"new_password1": VICTIM_PASSWORD, "new_password2": VICTIM_PASSWORD})
    assert response.status_code == 302

    assert not _can_log_in(client, VICTIM, ATTACKER_PASSWORD)
    assert _can_log_in(victim, VICTIM, VICTIM_PASSWORD)


def test_the_registrant_verifies_with_the_password_of_the_registration(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, "erika@kommune.example", VICTIM_PASSWORD)
    link = _link(mail.outbox[0])
    assert client.post(link, {"password": VICTIM_PASSWORD}).status_code == 302
    assert _can_log_in(client, "erika@kommune.example", VICTIM_PASSWORD)
