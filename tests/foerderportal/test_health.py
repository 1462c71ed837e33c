"""/healthz (liveness) and /readyz (readiness) for the load balancer (foerderportal.health).

Both answer before the host check, the HTTPS redirect, sessions and CSRF; neither is cached. Readiness
fails (503) when the database, the broker or the storage does not answer, and tells which only to a
caller with the READINESS_TOKEN.
"""

import json

import pytest
from django.db import connections

from foerderportal import health
from tests.object_storage import free_port

pytestmark = pytest.mark.django_db

TOKEN = "probe-token-for-tests-only"


@pytest.fixture
def production_like(settings):
    # What a node behind the load balancer runs with: DEBUG off, HTTPS redirect, only the public host name.
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["foerderportal.example"]
    settings.READINESS_TOKEN = TOKEN
    return settings


@pytest.fixture
def closed_broker(settings):
    """Celery configured with a Redis broker on a port where nothing listens (a stopped Redis)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"


def _details(client, **headers):
    return client.get("/readyz", headers={"Authorization": f"Bearer {TOKEN}", **headers})


def test_liveness_answers_without_touching_the_database(client, production_like, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # no session, no CSRF cookie


def test_readiness_answers_a_load_balancer_probing_by_address_over_http(client, production_like):
    # Neither a redirect to HTTPS nor a 400 for an unknown Host: the probe reaches the checks.
    response = client.get("/readyz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_anonymous_callers_learn_only_ready_or_not(client, production_like):
    assert json.loads(client.get("/readyz").content) == {"status": "ready"}
    wrong = client.get("/readyz", headers={"Authorization": "Bearer falsch"})
    assert json.loads(wrong.content) == {"status": "ready"}


def test_the_token_shows_each_check(client, production_like):
    body = json.loads(_details(client).content)
    # Tests run Celery eagerly: no broker to reach.
    assert body == {"status": "ready", "checks": {"database": "ok", "broker": "not used", "storage": "ok"}}


def test_a_stopped_broker_makes_the_node_not_ready(client, production_like, closed_broker):
    response = _details(client)
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "not ready",
        "checks": {"database": "ok", "broker": "failed", "storage": "ok"},
    }
    anonymous = client.get("/readyz")
    assert (anonymous.status_code, json.loads(anonymous.content)) == (503, {"status": "not ready"})


def test_a_reachable_broker_counts_as_ready(client, production_like, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    assert json.loads(_details(client).content)["checks"]["broker"] == "ok"


def test_an_unreachable_database_makes_the_node_not_ready(client, production_like, monkeypatch, tmp_path):
    # A second connection to a database that is not there: a stopped server or a missing file.
    default = connections["default"]
    if default.vendor == "sqlite":
        elsewhere = {"NAME": str(tmp_path / "kein-ordner" / "db.sqlite3")}
    else:
        elsewhere = {"HOST": "127.0.0.1", "PORT": str(free_port())}
    unreachable = type(default)({**default.settings_dict, **elsewhere}, alias="default")
    monkeypatch.setattr(health, "connection", unreachable)
    response = _details(client)
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["database"] == "failed"
    unreachable.close()


@pytest.mark.s3
def test_object_storage_is_checked_and_a_missing_bucket_is_not_ready(client, production_like, settings, s3):
    assert json.loads(_details(client).content)["checks"]["storage"] == "ok"
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "bucket_name": "gibt-es-nicht"}},
    }
    response = _details(client)
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["storage"] == "failed"


def test_probes_take_get_and_head_only_and_need_no_csrf_token(client, production_like):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


def test_probes_are_never_throttled(client, production_like):
    # A load balancer probes every few seconds from one address; no limit may ever answer it.
    assert {client.get("/readyz").status_code for _ in range(50)} == {200}
