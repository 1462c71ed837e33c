"""Accounts: registration and e-mail verification (the organisation part lives in applications)."""

import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from foerderportal import hooks
from foerderportal.errors import DomainError
from foerderportal.mail import send_templated_mail

from .models import NOTIFICATION_CONSENT_VERSION, NOTIFICATION_CONSENT_WORDING, User
from .throttling import normalise_address
from .tokens import email_verification_token

logger = logging.getLogger(__name__)


class AccountError(DomainError):
    """An account action was refused (German ``message``)."""


@transaction.atomic
def register_user(
    *, email, password, first_name, last_name, job_title="", phone="", notification_consent=False, now=None
) -> User | None:
    """Create an inactive account; the user must verify the e-mail address.

    With ``notification_consent`` the consent to electronic notification is recorded with it.
    An address that already has an account gets no second one, and the caller answers exactly as
    for a new account (``None`` is returned): the owner of the address is told by e-mail instead
    (``_answer_known_address``).
    """
    email = normalise_address(email)
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None:
        _answer_known_address(existing)
        return None
    user = User(
        email=email, first_name=first_name, last_name=last_name, job_title=job_title, phone=phone, is_active=False
    )
    if notification_consent:
        _set_notification_consent(user, now or timezone.now())
    user.set_password(password)
    try:
        with transaction.atomic():  # a savepoint: a second registration at the same moment loses the race
            user.save()
    except IntegrityError:
        _answer_known_address(User.objects.get(email__iexact=email))
        return None
    transaction.on_commit(lambda: send_verification_mail(user), robust=True)
    return user


def _answer_known_address(user):
    """A registration for an address that has an account.

    Verified (or activated by staff): the owner hears that someone tried, nothing changes.
    Not yet verified: nobody has shown to control the mailbox, so the password set at the earlier
    registration is void; the owner gets a new link and chooses the password on the verification page.
    """
    if user.is_active or user.email_verified_at:
        logger.info("Registrierung für vorhandenes Konto %s: Hinweis an die Adresse", user.pk)
        transaction.on_commit(lambda: send_registration_attempt_mail(user), robust=True)
        return
    logger.info("Erneute Registrierung für unbestätigtes Konto %s: Passwort ungültig gemacht", user.pk)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    transaction.on_commit(lambda: send_verification_mail(user), robust=True)


def send_registration_attempt_mail(user):
    return send_templated_mail(
        "registration_attempt",
        {"user": user, "login_url": reverse("accounts:login"), "reset_url": reverse("accounts:password_reset")},
        [user.email],
    )


def _set_notification_consent(user, now):
    user.notification_consent_at = now
    user.notification_consent_version = NOTIFICATION_CONSENT_VERSION
    user.notification_consent_wording = str(NOTIFICATION_CONSENT_WORDING)


@transaction.atomic
def give_notification_consent(*, user, now=None) -> User:
    """Record the user's consent to electronic notification (who, when, wording and its version).

    A consent already given stays as it was: its time and wording are the record.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.notification_consent_at is None:
        _set_notification_consent(locked, now or timezone.now())
        locked.save(
            update_fields=["notification_consent_at", "notification_consent_version", "notification_consent_wording"]
        )
    for field in ("notification_consent_at", "notification_consent_version", "notification_consent_wording"):
        setattr(user, field, getattr(locked, field))
    return user


def verification_url(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    return reverse("accounts:verify", kwargs={"uidb64": uid, "token": token})


def send_verification_mail(user):
    return send_templated_mail(
        "verify_email",
        {"user": user, "url": verification_url(user), "choose_password": not user.has_usable_password()},
        [user.email],
    )


def verification_token_is_valid(*, user, token) -> bool:
    return user is not None and email_verification_token.check_token(user, token)


@transaction.atomic
def verify_email(*, user, token, password=None, new_password=None, now=None) -> User:
    """Activate the account of whoever holds the link and knows or chooses its password.

    The link alone is not enough: someone may have registered another person's address with their
    own password. So the holder either confirms the password of the registration (``password``) or
    chooses a new one (``new_password``), which voids the registrant's. ``hooks.account_verified``
    lets applications announce the user's membership requests.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not email_verification_token.check_token(locked, token):
        raise AccountError(_("Der Bestätigungslink ist ungültig oder abgelaufen."))
    if new_password is not None:
        locked.set_password(new_password)
    elif not (password and locked.has_usable_password() and locked.check_password(password)):
        raise AccountError(_("Das Passwort stimmt nicht. Sie können stattdessen ein neues Passwort festlegen."))
    locked.is_active = True
    locked.email_verified_at = now or timezone.now()
    locked.save(update_fields=["password", "is_active", "email_verified_at"])
    logger.info(
        "E-Mail-Adresse von Konto %s bestätigt (%s)", locked.pk, "neues Passwort" if new_password else "Passwort"
    )
    hooks.account_verified(user=locked)
    return locked
