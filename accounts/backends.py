"""The signed-in user of a request, from the shared cache.

Every portal page loads its user (Django's ``get_user``): one query per request for a row that
changes rarely (a password, the name, an account switched off). With a shared cache (Redis), the
user is kept there per generation (``foerderportal.caching``), and every save or deletion of the
user starts a new one: a changed password ends the other sessions, a deactivated account is
refused on its next request, on every node. Should the cache refuse that write while it still
answers reads, an entry lives at most ``ENTRY_SECONDS`` (logged as an error).

The cached copy carries no password hash: it holds the session hash instead (the value the
session itself already stores), and reading ``user.password`` loads the hash from the database.
Entries are keyed by a digest of the SECRET_KEY, so a new key never meets a session hash that an
old key made.

With a cache that is not shared across processes and nodes (``make run``'s process memory, a
file cache), another worker could not see the new generation: the user then always comes from
the database (``settings.AUTH_USER_CACHE``).
"""

import hashlib
from functools import cache

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from foerderportal import caching

# An upper bound on an entry's life, should a change bypass ``save`` (a queryset update, raw SQL).
ENTRY_SECONDS = 5 * 60
# Sessions from before this backend name Django's ModelBackend; it stays listed after this one
# until they have expired (SESSION_COOKIE_AGE after the deployment), only to find their users.
LEGACY_BACKEND = "django.contrib.auth.backends.ModelBackend"


@cache
def _secret_digest():
    return hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:12]


def _entry_key(user_id):
    return f"auth-user:{_secret_digest()}:{user_id}"


def _generation_key(user_id):
    return f"auth-user:{user_id}:generation"


def _load(user_id):
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is not None:
        user._session_auth_hash = user.get_session_auth_hash()
        del user.__dict__["password"]  # deferred from now on: read from the database when needed
    return user


class CachedUserBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions) whose ``get_user`` reads through the cache."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and LEGACY_BACKEND in settings.AUTHENTICATION_BACKENDS:
            # Refused here means refused: the legacy entry must not hash the password a second time
            # (Django stops at PermissionDenied and reports one failed login, as before).
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        if not settings.AUTH_USER_CACHE:
            return super().get_user(user_id)
        # One round trip for the user and what every page of a signed-in user asks the cache.
        caching.read_ahead([(_entry_key(user_id), _generation_key(user_id)), *caching.user_pairs(user_id)])
        user = caching.read_through(
            _entry_key(user_id), _generation_key(user_id), lambda: _load(user_id), ENTRY_SECONDS, ENTRY_SECONDS
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        return await sync_to_async(self.get_user)(user_id)


def forget_user(sender, instance, **kwargs):
    """Signal receiver: the user was saved or deleted; no request may use the cached copy any more."""
    if settings.AUTH_USER_CACHE:
        caching.retire(_generation_key(instance.pk), ENTRY_SECONDS)
