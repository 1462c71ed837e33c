"""gunicorn's configuration for Förderportal: `gunicorn -c gunicorn.conf.py foerderportal.wsgi`.

Every value can be overridden from the environment (GUNICORN_*), so a node with more cores or a
different proxy needs no edit here. Why these values: README, section "Production", and the
measurement with benchmarks/deadline_rush.py.
"""

import os

_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# gthread, measured against sync with benchmarks/deadline_rush.py on 2 cores: a request spends much of
# its time waiting for PostgreSQL and Redis, which a thread overlaps with another request's Python;
# one worker per core keeps the CPU busy without the memory and context switches of 2n+1 processes.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", _cores))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Each thread keeps its own persistent database connection (CONN_MAX_AGE): PostgreSQL's
# max_connections must cover workers x threads per node (plus Celery and the admin).

# A request that takes longer is a bug or a dead database: kill it (WeasyPrint runs in Celery).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# Behind the reverse proxy, which keeps its own connections to the clients.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Workers are replaced now and then (a slow leak cannot grow forever), each after its own number of
# requests (max_requests plus a random 0 to jitter), so the workers of a node go apart.
# A replaced worker's clients reconnect to the others, which carry its load until the new one
# has its share: with the former 2,000 to 2,200 both workers of a node were replaced within
# seconds of each other every ~50 s at 20 submissions per second, and the submit p95 went from
# 58 ms to 0.4-2 s (README, "Deadline day on one machine"). Now, at a sustained 40-50 requests
# per second and worker, a worker is replaced every 7-12 minutes, the two of a node minutes apart.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 10000))
# Import Django once in the master; the workers fork with it loaded (faster start, shared memory).
# No connection is opened at import time, so none is shared across the fork.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() == "true"

# Access log with the request time in milliseconds (%(M)s) and the client behind the proxy.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# X-Forwarded-* are trusted from the local reverse proxy only (TRUSTED_PROXY_COUNT in the settings).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl): a second
# instance on the same host (a benchmark, a second node in a test) would take it over. Off unless
# a path is given.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
