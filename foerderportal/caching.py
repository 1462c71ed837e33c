"""Answers kept in the shared cache that a change retires at once: generations.

An answer is stored together with the generation it was computed under. A change starts a new
generation, immediately (later reads in the changing transaction see the change) and again after
the commit (a request that read the database before the commit may have stored the old answer
in between; under the new generation that entry no longer counts). So no answer outlives the
change that made it wrong, and a lost or flushed cache costs only the computation.

A cache that is down never fails a page or a save: the answer then comes from ``compute`` (the
database), and a generation that could not be renewed leaves entries living at most their timeout.
"""

import logging
from functools import partial
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def read_through(key, generation_key, compute, timeout, generation_timeout=None, *, shared_only=False):
    """The answer stored under ``key`` for the current generation, else ``compute()``, stored.

    ``shared_only``: keep it only in a cache every worker and node shares (``CACHE_IS_SHARED``),
    for answers that must not be seen outdated for a while elsewhere; else always ``compute()``."""
    if shared_only and not settings.CACHE_IS_SHARED:
        return compute()
    try:
        found = cache.get_many([generation_key, key])
        generation = found.get(generation_key)
        if generation is None:
            # First use, or the cache lost it: a fresh generation, so no surviving entry matches
            # (unless another request set one first: then that one).
            fresh = uuid4().hex
            added = cache.add(generation_key, fresh, timeout=generation_timeout)
            generation = fresh if added else cache.get(generation_key)
        entry = found.get(key)
        if entry is not None and generation is not None and entry[0] == generation:
            return entry[1]
    except Exception:  # the cache is down: the answer from the database, as sessions do
        logger.warning("Cache nicht erreichbar: %s aus der Datenbank", key, exc_info=True)
        return compute()
    answer = compute()
    if generation is not None:
        try:
            cache.set(key, (generation, answer), timeout=timeout)
        except Exception:
            logger.warning("Cache nicht erreichbar: %s nicht gespeichert", key, exc_info=True)
    return answer


def _new_generation(generation_key, generation_timeout):
    try:
        cache.set(generation_key, uuid4().hex, timeout=generation_timeout)
    except Exception:
        # An error, not a warning: until the entries' timeout, readers may get the outdated answer.
        logger.error("Cache nicht erreichbar: Generation %s nicht erneuert", generation_key, exc_info=True)


def retire(generation_key, generation_timeout=None):
    """Every answer stored under ``generation_key``'s generation is outdated: now and after the commit."""
    _new_generation(generation_key, generation_timeout)
    # robust: a failing callback registered earlier in the transaction must not skip this one.
    transaction.on_commit(partial(_new_generation, generation_key, generation_timeout), robust=True)
