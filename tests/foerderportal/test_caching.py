"""Answers in the shared cache under a generation (foerderportal.caching): a change retires them at once,
even an answer computed before the change and stored after it; a cache outage costs only the computation."""

import pytest
from django.apps import apps
from django.core.cache import cache, caches

from foerderportal import caching

pytestmark = pytest.mark.django_db

KEY, GENERATION = "test-answer", "test-answer:generation"


class Source:
    """The database stand-in: counts how often the answer is computed."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_the_answer_is_computed_once_and_then_read_from_the_cache():
    source = Source("erste Antwort")
    assert caching.read_through(KEY, GENERATION, source, 60) == "erste Antwort"
    assert caching.read_through(KEY, GENERATION, source, 60) == "erste Antwort"
    assert source.calls == 1
    cache.clear()  # a flushed cache costs only the computation
    assert caching.read_through(KEY, GENERATION, source, 60) == "erste Antwort"
    assert source.calls == 2


def test_shared_only_answers_stay_out_of_a_process_local_cache(settings):
    source = Source("erste Antwort")
    settings.CACHE_IS_SHARED = False
    caching.read_through(KEY, GENERATION, source, 60, shared_only=True)
    caching.read_through(KEY, GENERATION, source, 60, shared_only=True)
    assert source.calls == 2 and cache.get(KEY) is None
    settings.CACHE_IS_SHARED = True
    caching.read_through(KEY, GENERATION, source, 60, shared_only=True)
    caching.read_through(KEY, GENERATION, source, 60, shared_only=True)
    assert source.calls == 3


def test_a_falsy_answer_is_cached_too():
    source = Source(None)
    caching.read_through(KEY, GENERATION, source, 60)
    assert caching.read_through(KEY, GENERATION, source, 60) is None
    assert source.calls == 1


def test_a_change_retires_the_answer_at_once():
    source = Source("alt")
    caching.read_through(KEY, GENERATION, source, 60)
    source.value = "neu"
    caching.retire(GENERATION)
    assert caching.read_through(KEY, GENERATION, source, 60) == "neu"


def test_another_release_with_other_models_keeps_entries_of_its_own_and_shares_the_retirement(monkeypatch):
    """A rolling deployment: nodes of two releases share Redis. Entries hold pickled model
    instances, so each release reads only its own; a change on either retires both."""
    old_release, new_release = Source("alte Form"), Source("neue Form")
    assert caching.read_through(KEY, GENERATION, old_release, 60) == "alte Form"
    monkeypatch.setattr(caching, "model_shape", lambda: "anders")
    assert caching.read_through(KEY, GENERATION, new_release, 60) == "neue Form"  # not the old pickle
    assert caching.read_through(KEY, GENERATION, new_release, 60) == "neue Form"
    assert new_release.calls == 1
    caching.retire(GENERATION)  # on a new node
    monkeypatch.undo()
    assert caching.read_through(KEY, GENERATION, old_release, 60) == "alte Form"
    assert old_release.calls == 2  # the old node's entry was retired too


def test_the_model_shape_follows_the_fields_of_the_models():
    from accounts.models import User
    from applications.models import Application, Attachment

    assert caching.model_shape() == caching.shape_of(apps.get_models())
    assert caching.shape_of([User, Application]) != caching.shape_of([User, Attachment])
    assert caching.shape_of([User, Application]) == caching.shape_of([Application, User])


def test_an_old_answer_stored_after_the_change_does_not_count():
    """A request read the database before the change committed and stores its answer afterwards."""
    caching.read_through(KEY, GENERATION, Source("egal"), 60)
    old_generation = cache.get(GENERATION)
    caching.retire(GENERATION)
    cache.set(KEY, (old_generation, "veraltet"), 60)  # the late write of the slow request
    assert caching.read_through(KEY, GENERATION, Source("aktuell"), 60) == "aktuell"


def test_the_generation_is_renewed_again_after_the_commit(django_capture_on_commit_callbacks):
    """Between the change and its commit, another request may still read the old row and store it."""
    with django_capture_on_commit_callbacks(execute=True):
        caching.retire(GENERATION)
        inside = cache.get(GENERATION)
        caching.read_through(KEY, GENERATION, Source("vor dem Commit gelesen"), 60)
    assert cache.get(GENERATION) != inside
    assert caching.read_through(KEY, GENERATION, Source("nach dem Commit"), 60) == "nach dem Commit"


def test_a_cache_outage_costs_the_computation_and_fails_nothing(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis antwortet nicht")

    for method in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, method, down)
    source = Source("aus der Datenbank")
    assert caching.read_through(KEY, GENERATION, source, 60) == "aus der Datenbank"
    assert caching.read_through(KEY, GENERATION, source, 60) == "aus der Datenbank"
    assert source.calls == 2
    caching.retire(GENERATION)  # a save must not fail because the cache is down


class RoundTrips:
    """Counts the cache's reads (``get`` and ``get_many``: each one round trip to Redis)."""

    def __init__(self, monkeypatch):
        self.reads, self.depth = [], 0
        backend = caches["default"]
        for name in ("get", "get_many"):
            original = getattr(backend, name)
            monkeypatch.setattr(backend, name, self._counting(name, original))

    def _counting(self, name, original):
        def read(*args, **kwargs):
            if not self.depth:  # the memory cache's get_many calls its get: one read
                self.reads.append(name)
            self.depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                self.depth -= 1

        return read


@pytest.fixture
def in_a_request():
    caching.request_started()
    yield
    caching.request_finished()


OTHER, OTHER_GENERATION = "other-answer", "other-answer:generation"


def test_answers_read_ahead_cost_one_round_trip_and_are_used_once(monkeypatch, in_a_request):
    first, other = Source("erste"), Source("zweite")
    caching.read_through(KEY, GENERATION, first, 60)  # stored, as by an earlier request
    caching.read_through(OTHER, OTHER_GENERATION, other, 60)
    trips = RoundTrips(monkeypatch)
    caching.read_ahead([(KEY, GENERATION), (OTHER, OTHER_GENERATION)])
    assert caching.read_through(KEY, GENERATION, first, 60) == "erste"
    assert caching.read_through(OTHER, OTHER_GENERATION, other, 60) == "zweite"
    assert trips.reads == ["get_many"] and first.calls == other.calls == 1
    caching.read_through(KEY, GENERATION, first, 60)  # used once: a second ask goes to the cache
    assert trips.reads == ["get_many", "get_many"]


def test_an_answer_retired_in_the_request_is_not_taken_from_what_was_read_ahead(in_a_request):
    source = Source("alt")
    caching.read_through(KEY, GENERATION, source, 60)
    caching.read_ahead([(KEY, GENERATION)])
    source.value = "neu"
    caching.retire(GENERATION)
    assert caching.read_through(KEY, GENERATION, source, 60) == "neu"


def test_nothing_is_read_ahead_outside_a_request_or_after_it(monkeypatch, in_a_request):
    source = Source("Antwort")
    caching.read_through(KEY, GENERATION, source, 60)
    caching.request_finished()  # a task, a command, or the thread's next request
    trips = RoundTrips(monkeypatch)
    caching.read_ahead([(KEY, GENERATION)])
    assert trips.reads == []
    caching.read_ahead([(KEY, GENERATION)])
    caching.request_started()
    assert caching.read_through(KEY, GENERATION, source, 60) == "Antwort"
    assert trips.reads == ["get_many"]  # nothing carried over into the new request


def test_a_cache_that_does_not_answer_the_read_ahead_costs_nothing(monkeypatch, in_a_request, caplog):
    source = Source("aus der Datenbank")

    def down(*args, **kwargs):
        raise ConnectionError("Redis antwortet nicht")

    monkeypatch.setattr(caches["default"], "get_many", down)
    caching.read_ahead([(KEY, GENERATION)])
    assert "nichts vorausgelesen" in caplog.text
    assert caching.read_through(KEY, GENERATION, source, 60) == "aus der Datenbank"


def test_entries_read_ahead_between_a_change_and_its_commit_are_dropped_at_the_commit(
    in_a_request, django_capture_on_commit_callbacks
):
    source = Source("alt")
    caching.read_through(KEY, GENERATION, source, 60)
    with django_capture_on_commit_callbacks(execute=True):
        caching.retire(GENERATION)
        # Another request may store an answer from uncommitted data under the in-between generation.
        caching.read_ahead([(KEY, GENERATION)])
        assert KEY in caching._read_ahead.get()
    assert KEY not in caching._read_ahead.get()
