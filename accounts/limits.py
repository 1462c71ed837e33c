"""A small cache-backed limiter for the e-mails anyone can trigger (registration, password reset).

Fixed windows counted in the cache (``CACHES``: Redis in production, so every gunicorn worker
shares the counters; ``cache.add`` and ``cache.incr`` are atomic there). Each send counts against
the address it goes to and against the client that asked; either over its limit, and nothing is
sent. The callers show the same neutral page either way, so the limit reveals nothing.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from .throttling import client_address, normalise_address


def _count(key, window) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first of a new window
        cache.add(key, 1, timeout=window)
        return 1


def _key(kind, scope, value) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"accounts:mail-limit:{kind}:{scope}:{digest}"


def allow_requests(request, *, kind: str, limit: int, window: int = 60) -> bool:
    """Count one ``kind`` request of ``request``'s client; False once it made more than ``limit`` in ``window`` s."""
    return _count(_key(kind, "client", client_address(request)), window) <= limit


def allow_mail(request, *, kind: str, address: str) -> bool:
    """Count one ``kind`` e-mail to ``address`` asked for by ``request``'s client; False over a limit."""
    window = settings.ACCOUNT_MAIL_LIMIT_WINDOW
    per_address = _count(_key(kind, "address", normalise_address(address)), window)
    per_client = _count(_key(kind, "client", client_address(request)), window)
    return (
        per_address <= settings.ACCOUNT_MAIL_LIMIT_PER_ADDRESS and per_client <= settings.ACCOUNT_MAIL_LIMIT_PER_CLIENT
    )
