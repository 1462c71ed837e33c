"""Registration and password reset answer alike for known and unknown addresses, and their e-mails are limited."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.limits import allow_mail
from accounts.models import User
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _register(client, email, **extra):
    data = {
        "first_name": "Erika",
        "last_name": "Muster",
        "email": email,
        "job_title": "Integrationsbeauftragte",
        "phone": "",
        "organisation": OrganisationFactory().pk,
        "password1": "Ein-sicheres-Passwort-7",
        "password2": "Ein-sicheres-Passwort-7",
        "privacy": "on",
    }
    return client.post(reverse("applications:register"), data, **extra)


def _page(response, email):
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response.status_code, body.replace(email, "ADRESSE")


def test_registration_answers_alike_for_new_verified_and_unverified_addresses(client):
    UserFactory(email="bekannt@kommune.example")
    UserFactory(email="unbestaetigt@kommune.example", is_active=False)
    new = _page(_register(client, "neu@kommune.example"), "neu@kommune.example")
    known = _page(_register(client, "Bekannt@Kommune.example"), "bekannt@kommune.example")
    unverified = _page(_register(client, "unbestaetigt@kommune.example"), "unbestaetigt@kommune.example")
    assert new[0] == 200
    assert new == known == unverified
    assert "bereits ein Konto" not in known[1]


def test_password_reset_answers_alike_for_known_and_unknown_addresses(client):
    UserFactory(email="bekannt@kommune.example")
    url = reverse("accounts:password_reset")
    known = client.post(url, {"email": "bekannt@kommune.example"}, follow=True)
    unknown = client.post(url, {"email": "niemand@kommune.example"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert _page(known, "bekannt@kommune.example") == _page(unknown, "niemand@kommune.example")
    assert [m.to for m in mail.outbox] == [["bekannt@kommune.example"]]


def test_password_reset_mails_are_limited_per_address(client, settings):
    UserFactory(email="bekannt@kommune.example")
    url = reverse("accounts:password_reset")
    answers = [
        client.post(url, {"email": "bekannt@kommune.example"}, REMOTE_ADDR=f"10.0.0.{n}", follow=True)
        for n in range(settings.ACCOUNT_MAIL_LIMIT_PER_ADDRESS + 2)
    ]
    assert len(mail.outbox) == settings.ACCOUNT_MAIL_LIMIT_PER_ADDRESS
    assert len({_page(a, "") for a in answers}) == 1  # over the limit: the same neutral page


def test_password_reset_mails_are_limited_per_client(client, settings):
    settings.ACCOUNT_MAIL_LIMIT_PER_CLIENT = 2
    for n in range(4):
        UserFactory(email=f"person{n}@kommune.example")
        client.post(reverse("accounts:password_reset"), {"email": f"person{n}@kommune.example"}, REMOTE_ADDR="10.0.0.1")
    assert len(mail.outbox) == 2
    client.post(reverse("accounts:password_reset"), {"email": "person3@kommune.example"}, REMOTE_ADDR="10.0.0.2")
    assert len(mail.outbox) == 3


def test_registration_mails_are_limited_and_over_the_limit_nothing_happens(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_MAIL_LIMIT_PER_CLIENT = 2
    with django_capture_on_commit_callbacks(execute=True):
        first = _register(client, "eins@kommune.example")
        _register(client, "zwei@kommune.example")
        over = _register(client, "drei@kommune.example")
    assert _page(first, "eins@kommune.example") == _page(over, "drei@kommune.example")
    assert sorted(User.objects.values_list("email", flat=True)) == ["eins@kommune.example", "zwei@kommune.example"]
    assert len(mail.outbox) == 2


def test_the_limiter_counts_per_kind_address_and_client(rf, settings):
    settings.ACCOUNT_MAIL_LIMIT_PER_ADDRESS = 2
    request = rf.post("/", REMOTE_ADDR="10.0.0.1")
    assert allow_mail(request, kind="reset", address="A@x.de")
    assert allow_mail(request, kind="reset", address=" a@X.de ")
    assert not allow_mail(request, kind="reset", address="a@x.de")
    assert allow_mail(request, kind="register", address="a@x.de")  # another kind counts on its own
    assert allow_mail(request, kind="reset", address="b@x.de")


def test_a_registration_that_loses_the_race_for_an_address_answers_like_any_other(db, monkeypatch, mailoutbox):
    # Two registrations of one new address at the same moment: the second insert hits the unique
    # constraint; it must answer like a known address (no 500, no second account).
    from accounts import services
    from accounts.models import User
    from tests.factories import UserFactory

    winner = UserFactory(email="gleichzeitig@kommune.example", is_active=False)
    real_filter = User.objects.select_for_update

    class NotYetVisible:
        def filter(self, **kwargs):
            return User.objects.none()

    monkeypatch.setattr(User.objects, "select_for_update", lambda *a, **k: NotYetVisible())
    result = services.register_user(
        email="gleichzeitig@kommune.example", password="Ein-langes-Passwort-1", first_name="A", last_name="B"
    )
    monkeypatch.setattr(User.objects, "select_for_update", real_filter)
    assert result is None
    assert User.objects.filter(email__iexact="gleichzeitig@kommune.example").count() == 1
    winner.refresh_from_db()
    assert not winner.has_usable_password()  # unverified: the earlier password is void, as for a re-registration
