"""Accounts: registration and e-mail verification (the organisation part lives in applications), and
the second factor of staff accounts (authenticator app and recovery codes, django-otp)."""

import logging
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from foerderportal import hooks
from foerderportal.audit import log_event
from foerderportal.errors import DomainError
from foerderportal.mail import send_templated_mail

from .models import NOTIFICATION_CONSENT_VERSION, NOTIFICATION_CONSENT_WORDING, User
from .roles import is_academy_staff
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


# --- the second factor of staff accounts (the session rules are in accounts/twofactor.py) -------

RECOVERY_CODE_PATTERN = re.compile(r"[a-z2-7]{8}")
TOTP_CODE_PATTERN = re.compile(r"\d{6}")


def normalise_code(code: str) -> str:
    """'123 456' and '123456', 'ABCD-EFGH' and 'abcdefgh' are the same code."""
    return re.sub(r"[\s-]", "", code or "").lower()


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp_device(*, user) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed (reloading the set-up page
    after scanning must not change it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=str(_("Authenticator-App")), confirmed=False)
    return device


def _throttled_message(info) -> str:
    until = (info or {}).get("locked_until")
    if until is None:
        return str(_("Zu viele falsche Codes. Bitte warten Sie einen Moment und versuchen Sie es dann erneut."))
    return str(_("Zu viele falsche Codes. Bitte versuchen Sie es ab %(time)s Uhr erneut.")) % {
        "time": timezone.localtime(until).strftime("%H:%M:%S")
    }


def _check_token(device, token):
    """``(verified, refusal)``: the token checked on the row-locked device; a failure is counted and
    committed (django-otp doubles the wait after each one), so it is never rolled back with the refusal."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return None, _throttled_message(info)
        if device.verify_token(token):
            return device, ""
    return None, str(_("Der Code ist nicht gültig. Bitte prüfen Sie ihn und versuchen Sie es erneut."))


def _replace_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": str(_("Wiederherstellungscodes")), "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_totp_device(*, user, code) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator being set up with a code from it; returns the device and the new
    recovery codes (shown once: only their owner ever sees them)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or confirmed_totp_device(user) is not None:
        raise AccountError(_("Für dieses Konto ist bereits eine Authenticator-App eingerichtet."))
    code = normalise_code(code)
    if not TOTP_CODE_PATTERN.fullmatch(code):
        raise AccountError(_("Bitte geben Sie den sechsstelligen Code aus Ihrer Authenticator-App ein."))
    verified, refusal = _check_token(device, code)
    if verified is None:
        raise AccountError(refusal)
    with transaction.atomic():
        verified.confirmed = True
        verified.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
        log_event(user, user, "two_factor_enabled")
    return verified, codes


def verify_second_factor(*, user, code="", recovery_code=""):
    """The device that accepts ``code`` (from the authenticator) or ``recovery_code`` (used up by
    this); otherwise ``AccountError``. Wrong codes are counted per device and throttled."""
    if code:
        code = normalise_code(code)
        device = confirmed_totp_device(user)
        if not TOTP_CODE_PATTERN.fullmatch(code):
            raise AccountError(_("Bitte geben Sie den sechsstelligen Code aus Ihrer Authenticator-App ein."))
    else:
        code = normalise_code(recovery_code)
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if not RECOVERY_CODE_PATTERN.fullmatch(code):
            raise AccountError(_("Ein Wiederherstellungscode hat acht Zeichen (Buchstaben und Ziffern 2–7)."))
    if device is None:
        raise AccountError(_("Der Code ist nicht gültig. Bitte prüfen Sie ihn und versuchen Sie es erneut."))
    verified, refusal = _check_token(device, code)
    if verified is None:
        raise AccountError(refusal)
    return verified


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def regenerate_recovery_codes(*, user) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if confirmed_totp_device(user) is None:
        raise AccountError(_("Richten Sie zuerst die Zwei-Faktor-Anmeldung ein."))
    codes = _replace_recovery_codes(user)
    log_event(user, user, "recovery_codes_renewed")
    return codes


@transaction.atomic
def reset_two_factor(*, user, by) -> User:
    """A lost phone: academy staff remove another person's authenticator and recovery codes; at the
    next login that person sets up a new one. A superuser's second factor only a superuser resets."""
    if not is_academy_staff(by):
        raise AccountError(_("Nur die Akademie kann die Zwei-Faktor-Anmeldung zurücksetzen."))
    if user.pk == by.pk:
        raise AccountError(_("Die eigene Zwei-Faktor-Anmeldung kann nur eine andere Person zurücksetzen."))
    if user.is_superuser and not by.is_superuser:
        raise AccountError(_("Die Zwei-Faktor-Anmeldung eines Superusers setzt nur ein Superuser zurück."))
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    if not removed:
        raise AccountError(_("Für dieses Konto ist keine Zwei-Faktor-Anmeldung eingerichtet."))
    log_event(user, by, "two_factor_reset")
    return user
