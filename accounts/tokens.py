"""Token generators for the links in account e-mails: one per purpose, each with its own salt.

A token made for one purpose never works for the other: the verification link is no password
reset, and a reset link verifies nothing.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of the e-mail verification link; valid for ``EMAIL_VERIFICATION_TIMEOUT`` seconds.

    The hash covers the password and the verification time, so a link stops working once the
    address is verified or the password changes (a second registration of the address).
    """

    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"

    def check_token(self, user, token):
        if not (user and token) or token.count("-") != 1:
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return 0 <= self._num_seconds(self._now()) - timestamp <= settings.EMAIL_VERIFICATION_TIMEOUT

    def _make_hash_value(self, user, timestamp):
        verified = "" if user.email_verified_at is None else user.email_verified_at.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.password}{user.is_active}{verified}{timestamp}{user.email}"


email_verification_token = EmailVerificationTokenGenerator()
# The reset link keeps Django's generator (its own salt, one use, ``PASSWORD_RESET_TIMEOUT``).
password_reset_token = default_token_generator
