"""Test helpers for the staff second factor (accounts/twofactor.py).

Production never lets a staff session into the admin without the second factor. Tests that log
staff in with ``client.force_login`` get, like the real login ends, a confirmed authenticator and
a session that passed the code step just now (``TwoFactorClient``, the ``client`` fixture);
browser tests type a code computed from the device's key (``current_code``).
"""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.twofactor import VERIFIED_AT_SESSION_KEY, needs_second_factor


def totp_device(user, *, confirmed=True) -> TOTPDevice:
    """The user's authenticator (created on first use)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()
    return device or TOTPDevice.objects.create(user=user, name="Test-App", confirmed=confirmed)


def current_code(device, *, offset_steps=0) -> str:
    """The code the authenticator app shows now (``offset_steps`` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(client, user, *, at=None) -> TOTPDevice:
    """Mark the client's session verified by the user's authenticator, as the code page does."""
    device = totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT_SESSION_KEY] = time.time() if at is None else at
    session.save()
    return device


class TwoFactorClient(Client):
    """``force_login`` of a staff user ends as the real login does: password and second factor."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if needs_second_factor(user):
            pass_second_factor(self, user)
