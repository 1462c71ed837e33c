"""Who is knocking: the normalised login name and the real client address, for django-axes and the
mail limits (``accounts.limits``).

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies each proxy appends the address it received the request
from to ``X-Forwarded-For``, so the client is the entry that many places from the right; anything
further left was written by the client and is ignored. With no trusted proxy (the default) the header
is ignored entirely and the address is the connection's (``REMOTE_ADDR``).
"""

from django.conf import settings


def normalise_address(value) -> str:
    """An e-mail address as the portal stores it: trimmed, lower-cased."""
    return str(value or "").strip().lower()


def client_address(request) -> str:
    """The address of the client, as far as the configured trusted proxies vouch for it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer entries than proxies: the chain is not the configured one, so trust nothing in it.
        return remote
    return forwarded[-proxies]


def login_username(request, credentials=None) -> str:
    """django-axes' user name: the normalised address, so "A@x.de" and " a@X.de " share one counter."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_address(credentials.get(field))
    return normalise_address(getattr(request, "data", request.POST).get(field))
