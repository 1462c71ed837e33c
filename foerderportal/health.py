"""Health checks for the load balancer and the orchestrator: ``/healthz`` and ``/readyz``.

* ``/healthz`` (liveness): the process answers; nothing else is touched, so a slow database never
  gets a healthy node restarted.
* ``/readyz`` (readiness): the database, the Celery broker and the file storage answer, each with
  one cheap round trip (``SELECT 1``, a broker connection, a bucket HEAD or a folder check); 200
  when all do, 503 otherwise. Anonymous callers learn only ready or not; the per-check status is
  shown to a caller presenting ``READINESS_TOKEN`` as a bearer token. A token rather than a staff
  login because the callers are monitoring systems, and a probe that read sessions would make
  readiness depend on the session store and cost a query on every probe.

Both are answered by a middleware at the top of the stack: before the host check (load balancers
probe a node by its address, not the portal's name), the HTTPS redirect, sessions, CSRF, throttling
and any cache; every answer says ``Cache-Control: no-store``.
"""

import hmac
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
# Seconds a broker may take to accept a connection before the node counts as not ready.
BROKER_TIMEOUT = 2

OK, FAILED, NOT_USED = "ok", "failed", "not used"


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return NOT_USED  # the embedded default runs tasks in process
    from kombu import Connection

    options = {"socket_connect_timeout": BROKER_TIMEOUT, "socket_timeout": BROKER_TIMEOUT}
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT, transport_options=options) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    return OK


def check_storage():
    storage = storages["default"]
    if hasattr(storage, "check_reachable"):
        storage.check_reachable()
        return OK
    if isinstance(storage, FileSystemStorage):
        # The folder is created on the first upload: the nearest existing folder must be writable.
        folder = Path(storage.location)
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            raise PermissionError(f"media folder not writable: {storage.location}")
        return OK
    storage.exists("readyz-probe")  # any other storage: one lookup that must not raise
    return OK


CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}


def run_checks() -> dict:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:  # noqa: BLE001 - any failure means "not ready"; the log says which
            logger.warning("readiness check %s failed", name, exc_info=True)
            results[name] = FAILED
    return results


def _may_see_details(request) -> bool:
    token = settings.READINESS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def liveness(request):
    return _no_store(HttpResponse("ok", content_type="text/plain; charset=utf-8"))


def readiness(request):
    results = run_checks()
    ready = all(status != FAILED for status in results.values())
    body = {"status": "ready" if ready else "not ready"}
    if _may_see_details(request):
        body["checks"] = results
    return _no_store(JsonResponse(body, status=200 if ready else 503))


class HealthCheckMiddleware:
    """Answers the two probe paths before anything else in the stack runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = {LIVENESS_PATH: liveness, READINESS_PATH: readiness}.get(request.path_info)
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return _no_store(HttpResponseNotAllowed(["GET", "HEAD"]))
        return view(request)
