"""The Redis cache (foerderportal.redis_cache): Django's, with one redis-py client per pool instead of
one per call; against a real Redis."""

import pytest

from foerderportal.redis_cache import RedisCache


@pytest.fixture
def redis_cache(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": "test-redis-cache"})
    yield cache
    cache.delete_many(["sitzung", "zähler", "eins", "zwei"])


def test_every_call_uses_the_same_client(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client("sitzung") is client
    assert redis_cache._cache.get_client(write=True) is client


def test_it_stores_reads_counts_and_deletes_like_djangos(redis_cache):
    redis_cache.set("sitzung", {"nutzer": 7, "zweiter Faktor": True}, 60)
    assert redis_cache.get("sitzung") == {"nutzer": 7, "zweiter Faktor": True}
    assert redis_cache.add("sitzung", "anders", 60) is False
    redis_cache.set_many({"eins": 1, "zwei": 2}, 60)
    assert redis_cache.get_many(["eins", "zwei", "fehlt"]) == {"eins": 1, "zwei": 2}
    redis_cache.add("zähler", 0, 60)
    assert redis_cache.incr("zähler") == 1
    redis_cache.delete("sitzung")
    assert redis_cache.get("sitzung") is None
