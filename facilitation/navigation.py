"""Whether the portal's navigation shows "Prozessbegleitung" to a user, cached.

The answer (is the user a moderator of a facilitation, or a confirmed member of a facilitated
organisation?) is asked on every portal page but changes only when a facilitation, its moderators
or a membership change: rare events. It is kept in the shared cache per user, stamped with a
generation; every such change starts a new generation, so no entry outlives the change (and a
lost or flushed cache only costs the query). Academy staff are recognised from the user itself.
"""

import logging
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from accounts.roles import is_academy_staff

from .models import Facilitation
from .selectors import confirmed_organisation_ids

logger = logging.getLogger(__name__)

GENERATION_KEY = "facilitation-nav:generation"
# An upper bound on how long an entry may live, should a change ever bypass the signals below
# (a raw SQL update, a process-local cache in a multi-process setup).
ENTRY_SECONDS = 10 * 60


def _entry_key(user_pk):
    return f"facilitation-nav:user:{user_pk}"


def _has_facilitation(user):
    return Facilitation.objects.filter(
        Q(facilitators__user=user) | Q(application__organisation_id__in=confirmed_organisation_ids(user))
    ).exists()


def shows_facilitation_nav(user):
    """True for academy staff, moderators with a facilitation and members of a facilitated organisation."""
    if not user.is_authenticated:
        return False
    if user.is_staff and is_academy_staff(user):
        return True
    key = _entry_key(user.pk)
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            # First use, or the cache lost it: a fresh generation, so no surviving entry matches.
            cache.add(GENERATION_KEY, uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            return entry[1]
    except Exception:  # the cache is down: the page still shows, from the database (as sessions do)
        logger.warning("Cache nicht erreichbar: Navigation aus der Datenbank", exc_info=True)
        return _has_facilitation(user)
    answer = _has_facilitation(user)
    try:
        cache.set(key, (generation, answer), timeout=ENTRY_SECONDS)
    except Exception:
        logger.warning("Cache nicht erreichbar: Antwort der Navigation nicht gespeichert", exc_info=True)
    return answer


def _new_generation():
    """A new generation; a cache that is down must not fail the save that caused it (its entries
    then live at most ``ENTRY_SECONDS``, and only the link depends on them)."""
    try:
        cache.set(GENERATION_KEY, uuid4().hex, timeout=None)
    except Exception:
        logger.warning("Cache nicht erreichbar: Generation der Navigation nicht erneuert", exc_info=True)


def forget_answers(**kwargs):
    """Signal receiver: a facilitation, its moderators or a membership changed.

    A new generation now (later reads in this transaction see the change) and again after the
    commit: a request that read the database before the commit may have stored the old answer
    under the generation in between.
    """
    _new_generation()
    transaction.on_commit(_new_generation)
