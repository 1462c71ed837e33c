import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from applications.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_academy_staff

pytestmark = pytest.mark.django_db


def _register(client, organisation, **overrides):
    data = {
        "first_name": "Erika",
        "last_name": "Muster",
        "email": "Erika.Muster@Kommune.example",
        "job_title": "Integrationsbeauftragte",
        "phone": "0711 123",
        "organisation": organisation.pk,
        "password1": "Ein-sicheres-Passwort-7",
        "password2": "Ein-sicheres-Passwort-7",
        "privacy": "on",
    }
    data.update(overrides)
    return client.post(reverse("applications:register"), data)


def test_registration_needs_e_mail_verification_before_login(client, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    staff = make_academy_staff()
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, organisation)
    assert response.status_code == 200
    user = User.objects.get(email="erika.muster@kommune.example")
    assert not user.is_active
    assert Membership.objects.get(user=user).status == Membership.Status.REQUESTED
    assert [m.to for m in mail.outbox] == [[user.email]]  # staff hear of it only after verification

    refused = client.post(reverse("accounts:login"), {"username": user.email, "password": "Ein-sicheres-Passwort-7"})
    assert refused.status_code == 200 and "noch nicht aktiviert" in refused.content.decode()
    link = re.search(r"https?://[^/]+(/konto/bestaetigen/\S+/)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200  # opening the link asks for the registration's password
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"password": "Ein-sicheres-Passwort-7"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.email_verified_at
    assert mail.outbox[-1].to == [staff.email]
    assert "möchte im Förderportal" in mail.outbox[-1].body


def test_forged_verification_link_is_refused(client):
    user = UserFactory(is_active=False)
    response = client.get(reverse("accounts:verify", args=["MQ", "falsch-123"]))
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_registered_user_sees_nothing_of_the_organisation_before_confirmation(client):
    confirmed = MembershipFactory()
    newcomer = MembershipFactory(organisation=confirmed.organisation, status=Membership.Status.REQUESTED).user
    client.force_login(newcomer)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "wartet auf Bestätigung" in page
    assert "Antrag für" not in page


def test_failed_registration_keeps_what_was_typed(client):
    organisation = OrganisationFactory()
    response = _register(client, organisation, password2="anders")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Die beiden Passwörter stimmen nicht überein." in page
    assert 'value="Integrationsbeauftragte"' in page
    assert 'value="erika.muster@kommune.example"' in page.lower()
    assert not User.objects.exists()


def test_duplicate_e_mail_is_told_to_the_owner_of_the_address(client, django_capture_on_commit_callbacks):
    owner = UserFactory(email="erika.muster@kommune.example", password="Sicheres-Passwort-1")
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, OrganisationFactory())
    assert "Fast geschafft" in response.content.decode()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "bereits ein Konto" in mail.outbox[0].body and "/konto/passwort/vergessen/" in mail.outbox[0].body
    owner.refresh_from_db()
    assert owner.check_password("Sicheres-Passwort-1") and User.objects.count() == 1
    assert not Membership.objects.exists()


def test_login_with_e_mail_case_insensitive(client):
    UserFactory(email="max@kommune.example", password="Sicheres-Passwort-1")
    response = client.post(
        reverse("accounts:login"), {"username": "MAX@kommune.example", "password": "Sicheres-Passwort-1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:dashboard")


def test_password_reset_sends_a_working_link(client):
    user = UserFactory(email="reset@kommune.example")
    client.post(reverse("accounts:password_reset"), {"email": "reset@kommune.example"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Neues Passwort für das Förderportal"
    link = re.search(r"https?://[^/]+(/konto/passwort/neu/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Neues-Passwort-2026", "new_password2": "Neues-Passwort-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Neues-Passwort-2026")


def test_password_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "niemand@kommune.example"}, follow=True)
    assert response.status_code == 200
    assert "Wenn es zu der Adresse ein Konto gibt" in response.content.decode()
    assert mail.outbox == []


def test_unverified_user_logging_in_gets_the_link_again(client):
    user = UserFactory(email="spaet@kommune.example", password="Sicheres-Passwort-1", is_active=False)
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "Sicheres-Passwort-1"})
    assert "noch nicht aktiviert" in response.content.decode()
    assert mail.outbox[-1].to == [user.email]
    assert "/konto/bestaetigen/" in mail.outbox[-1].body


def test_wrong_password_for_unverified_user_reveals_nothing(client):
    UserFactory(email="spaet@kommune.example", password="Sicheres-Passwort-1", is_active=False)
    response = client.post(reverse("accounts:login"), {"username": "spaet@kommune.example", "password": "falsch"})
    assert "nicht korrekt" in response.content.decode()
    assert mail.outbox == []
