"""Django's Redis cache reusing its redis-py client instead of building one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every cache call
(it copies about 170 response callbacks each time), and a portal page makes several (the session,
the signed-in user, the navigation): about a tenth of a millisecond each, for nothing. A client
is thread-safe and holds no connection of its own (the pool does, and the pool notices a fork),
so one per pool serves every call. (Django keeps a cache object per thread, so that is one client
per thread.) Django's comment on ``get_client`` invites such a custom client.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
