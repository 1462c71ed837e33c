"""The signed-in user of a request, from the shared cache.

Every portal page loads its user (Django's ``get_user``): one query per request for a row that
changes rarely (a password, the name, an account switched off). With a shared cache (Redis), the
user is kept there per generation (``foerderportal.caching``), and every save or deletion of the
user starts a new one: a changed password ends the other sessions at once (their session hash no
longer matches), a deactivated account is refused on its next request, on every node.

With a process-local cache (``make run``; a production setup without ``CACHE_URL``) another
process could not see the new generation, so the user then always comes from the database.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from foerderportal import caching

# An upper bound on an entry's life, should a change bypass ``save`` (a queryset update, raw SQL).
ENTRY_SECONDS = 5 * 60


def _entry_key(user_id):
    return f"auth-user:{user_id}"


def _generation_key(user_id):
    return f"auth-user:{user_id}:generation"


def _load(user_id):
    return get_user_model()._default_manager.filter(pk=user_id).first()


class CachedUserBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions) whose ``get_user`` reads through the cache."""

    def get_user(self, user_id):
        if not settings.AUTH_USER_CACHE:
            return super().get_user(user_id)
        user = caching.read_through(
            _entry_key(user_id), _generation_key(user_id), lambda: _load(user_id), ENTRY_SECONDS, ENTRY_SECONDS
        )
        return user if user is not None and self.user_can_authenticate(user) else None


def forget_user(sender, instance, **kwargs):
    """Signal receiver: the user was saved or deleted; no request may use the cached copy any more."""
    if settings.AUTH_USER_CACHE:
        caching.retire(_generation_key(instance.pk), ENTRY_SECONDS)
