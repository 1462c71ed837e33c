"""Accounts: registration and e-mail verification (the organisation part lives in applications)."""

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from foerderportal import hooks
from foerderportal.mail import send_templated_mail

from .models import NOTIFICATION_CONSENT_VERSION, NOTIFICATION_CONSENT_WORDING, User


@transaction.atomic
def register_user(
    *, email, password, first_name, last_name, job_title="", phone="", notification_consent=False, now=None
) -> User:
    """Create an inactive account; the user must verify the e-mail address.

    With ``notification_consent`` the consent to electronic notification is recorded with it.
    """
    user = User(
        email=email, first_name=first_name, last_name=last_name, job_title=job_title, phone=phone, is_active=False
    )
    if notification_consent:
        _set_notification_consent(user, now or timezone.now())
    user.set_password(password)
    user.save()
    transaction.on_commit(lambda: send_verification_mail(user), robust=True)
    return user


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
    token = default_token_generator.make_token(user)
    return reverse("accounts:verify", kwargs={"uidb64": uid, "token": token})


def send_verification_mail(user):
    return send_templated_mail("verify_email", {"user": user, "url": verification_url(user)}, [user.email])


def verify_email(*, user, token) -> bool:
    """Activate the account when the token matches; ``hooks.account_verified`` lets applications
    announce the user's membership requests."""
    if user.is_active and user.email_verified_at:
        return True
    if not default_token_generator.check_token(user, token):
        return False
    user.is_active = True
    user.email_verified_at = timezone.now()
    user.save(update_fields=["is_active", "email_verified_at"])
    hooks.account_verified(user=user)
    return True
