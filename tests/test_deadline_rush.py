"""The deadline-rush benchmark runs end to end on tiny numbers, so it cannot rot.

``benchmarks/deadline_rush.py`` with six drafts at one and two journeys per second: its own
throwaway PostgreSQL database, gunicorn with gunicorn.conf.py, a Celery worker against Redis, the
open-loop journeys, then its correctness checks (each application submitted exactly once, unique
reference numbers, every receipt rendered). It exits 0 only when they hold and no request failed.

Needs PostgreSQL and Redis: under CI=true it fails without them, elsewhere it is skipped.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlunsplit

import pytest
import redis
from django.db import connection

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
# The benchmark flushes these two Redis databases; ours while the suite runs (see README).
BROKER_URL = os.environ.get("DEADLINE_RUSH_BROKER_URL", "redis://127.0.0.1:6379/7")
CACHE_URL = os.environ.get("DEADLINE_RUSH_CACHE_URL", "redis://127.0.0.1:6379/8")

pytestmark = pytest.mark.postgres


def _server_url():
    """The PostgreSQL server of the test database (the benchmark creates its own database there)."""
    settings = connection.settings_dict
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    netloc = f"{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return urlunsplit(("postgres", netloc, "/postgres", "", ""))


def test_deadline_rush_benchmark_runs_and_its_checks_hold():
    for url in (BROKER_URL, CACHE_URL):
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            require_service(f"needs Redis at {url} ({error})")
    name = f"{connection.settings_dict['NAME']}_rush_{uuid.uuid4().hex[:6]}"
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/deadline_rush.py",
            "--organisations=6",
            "--rates=1,2",
            "--reference-seconds=1",
            f"--database-url={_server_url()}",
            f"--database-name={name}",
            f"--broker-url={BROKER_URL}",
            f"--cache-url={CACHE_URL}",
            "--drain-timeout=180",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}},
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Prüfung: 6 Anträge je genau einmal eingereicht, Aktenzeichen eindeutig" in output
    for step in ("one-query", "section", "overview", "submit", "receipt", "dashboard"):
        assert f"\n{step} " in output
    assert "Fehler: 0" in output
    assert output.count("Ein-Abfrage-Seite nach Stelle im Ablauf (p50): 1. ") == 2
    assert output.count("Median gegen die Ein-Abfrage-Seite an derselben Stelle: overview ") == 2
    assert output.count("gunicorn-Worker ersetzt während dieser Rate: 0") == 2  # 2 rates, none recycled
