"""The demo staff accounts' second factor: one fixed, published authenticator secret.

Only for the demo data of ``make run`` (``load_demo`` refuses without DEBUG): anyone who reads the
README can compute these codes, which is the point of a demo login and why no real account may
ever have this secret.
"""

import time
from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_TOTP_SECRET = "FOERDERPORTALDEMOZWEIFAKTOR23456"  # base32, as authenticator apps take it
DEMO_DEVICE_NAME = "Demo-Authenticator"


def grouped_secret() -> str:
    return " ".join(DEMO_TOTP_SECRET[i : i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4))


def ensure_demo_device(user) -> TOTPDevice:
    """The user's only authenticator: confirmed, with the demo secret (idempotent)."""
    key = b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.filter(user=user).exclude(name=DEMO_DEVICE_NAME).delete()
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, name=DEMO_DEVICE_NAME, defaults={"key": key, "confirmed": True}
    )
    return device


def current_demo_code(now: float | None = None) -> str:
    totp = TOTP(b32decode(DEMO_TOTP_SECRET), step=30, digits=6)
    totp.time = time.time() if now is None else now
    return f"{totp.token():06d}"
