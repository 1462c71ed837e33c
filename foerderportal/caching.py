"""Answers kept in the shared cache that a change retires at once: generations.

An answer is stored together with the generation it was computed under. A change starts a new
generation, immediately (later reads in the changing transaction see the change) and again after
the commit (a request that read the database before the commit may have stored the old answer
in between; under the new generation that entry no longer counts). So no answer outlives the
change that made it wrong, and a lost or flushed cache costs only the computation.

A cache that is down never fails a page or a save: the answer then comes from ``compute`` (the
database), and a generation that could not be renewed leaves entries living at most their timeout.

Reading ahead: each answer costs a round trip to the cache (about 0.3 ms of a request's CPU with
Redis). A request that knows what it will ask for fetches those entries in one round trip
(``read_ahead``; the signed-in user takes the answers every page of a signed-in user reads along,
``read_with_user``), and ``read_through`` then takes its entry from there, once. The entries
belong to the request that read them (a context variable, emptied when a request starts and
ends); a ``retire`` in the same request drops them. Outside a request (a task, a command) nothing
is read ahead.
"""

import contextvars
import functools
import hashlib
import logging
from functools import partial
from uuid import uuid4

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import get_script_prefix, get_urlconf

logger = logging.getLogger(__name__)


# The entries this request has read ahead: {key: (generation_key, what the cache answered for both)}.
_read_ahead = contextvars.ContextVar("foerderportal_read_ahead", default=None)
# Providers of (key, generation_key) pairs read with the signed-in user (``read_with_user``).
_with_user = []


def request_started(**kwargs):
    """Signal receiver (``foerderportal.apps``): a request starts with nothing read ahead."""
    _read_ahead.set({})


def request_finished(**kwargs):
    """Signal receiver: what a request read ahead ends with it (a thread serves many requests)."""
    _read_ahead.set(None)


def read_with_user(provider):
    """Register ``provider(user_pk) -> [(key, generation_key), …]``: answers the pages of a signed-in
    user ask for, read ahead in the user's round trip (``accounts.backends``)."""
    _with_user.append(provider)
    return provider


def user_pairs(user_pk):
    """The pairs the registered providers read along with the user ``user_pk``."""
    return [pair for provider in _with_user for pair in provider(user_pk)]


def read_ahead(pairs):
    """Fetch the entries of ``pairs`` (``(key, generation_key)``, …) in one round trip, for the
    ``read_through`` calls later in this request. Outside a request, and with a cache that does
    not answer, nothing is fetched (each ``read_through`` then asks on its own)."""
    stash = _read_ahead.get()
    if stash is None:
        return
    pairs = [(key, generation_key) for key, generation_key in pairs if key not in stash]
    if not pairs:
        return
    try:
        found = cache.get_many([name for key, generation_key in pairs for name in (generation_key, stored_key(key))])
    except Exception:
        logger.warning("Cache nicht erreichbar: nichts vorausgelesen", exc_info=True)
        return
    for key, generation_key in pairs:
        names = ((generation_key, generation_key), (key, stored_key(key)))
        stash[key] = (generation_key, {name: found[stored] for name, stored in names if stored in found})


@functools.cache
def model_shape():
    """A digest of Django's version and every model's fields. Entries hold pickled model instances
    (a user, rounds, memberships): a release that changes a model reads and writes entries of its
    own, so during a rolling deployment no node unpickles another release's instances. Generations
    are shared, so a change retires the entries of every release at once."""
    return shape_of(apps.get_models())


def shape_of(models):
    fields = sorted(
        f"{model._meta.label}.{field.attname}:{field.get_internal_type()}"
        for model in models
        for field in model._meta.concrete_fields
    )
    return hashlib.sha256("\n".join([django.__version__, *fields]).encode()).hexdigest()[:10]


def address_context():
    """What addresses reversed once and kept in a process for a piece of a page depend on: the
    script prefix, the URLconf of the thread and of the settings, the static files' URL (tests
    switch them)."""
    return get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF, settings.STATIC_URL


def stored_key(key):
    """The name under which the cache keeps the entry ``key`` (of this release's model shape)."""
    return f"{key}@{model_shape()}"


def _take_read_ahead(key, generation_key):
    stash = _read_ahead.get()
    entry = stash.pop(key, None) if stash else None
    return entry[1] if entry is not None and entry[0] == generation_key else None


def read_through(key, generation_key, compute, timeout, generation_timeout=None, *, shared_only=False):
    """The answer stored under ``key`` for the current generation, else ``compute()``, stored.

    ``shared_only``: keep it only in a cache every worker and node shares (``CACHE_IS_SHARED``),
    for answers that must not be seen outdated for a while elsewhere; else always ``compute()``."""
    if shared_only and not settings.CACHE_IS_SHARED:
        return compute()
    try:
        found = _take_read_ahead(key, generation_key)
        if found is None:
            stored = cache.get_many([generation_key, stored_key(key)])
            found = {generation_key: stored.get(generation_key), key: stored.get(stored_key(key))}
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
            cache.set(stored_key(key), (generation, answer), timeout=timeout)
        except Exception:
            logger.warning("Cache nicht erreichbar: %s nicht gespeichert", key, exc_info=True)
    return answer


def _new_generation(generation_key, generation_timeout):
    # What this request read ahead under the old generation is not used any more: now, and again
    # after the commit (an entry read ahead in between may have been computed from uncommitted data).
    stash = _read_ahead.get()
    if stash:
        for key in [key for key, (generation, _found) in stash.items() if generation == generation_key]:
            del stash[key]
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
