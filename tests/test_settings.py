"""Production settings: `check --deploy` is clean; missing secrets stop the start."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k7#Qv9!zR2@xL5^pW8&nT3*bY6(cM1)dF4-gH0+jS_" * 2,
    "DATABASE_URL": "postgres://foerderportal@db.internal:5432/foerderportal",
    "ALLOWED_HOSTS": "foerderportal.example",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
}


def _manage(*args, env):
    # Without DJANGO_SETTINGS_MODULE (pytest sets tests.settings): manage.py loads foerderportal.settings.
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_database_url():
    env = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


def test_german_time_zone_and_language(settings):
    assert settings.LANGUAGE_CODE == "de"
    assert settings.TIME_ZONE == "Europe/Berlin"
    assert settings.USE_TZ is True


def test_no_third_party_assets_in_templates():
    """Data protection: every script and stylesheet is served by us, none from a CDN."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for marker in ('src="http', "src='http", 'href="http://', 'href="https://cdn', "//cdn."):
            if marker in text and "emails" not in path.parts:
                offenders.append(f"{path.relative_to(ROOT)}: {marker}")
    assert offenders == []


def _settings_under(env, *names):
    """The named settings as foerderportal.settings computes them under ``env`` (a fresh process)."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CACHE_URL", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "foerderportal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_database_connections_with_health_checks():
    database = _settings_under(PRODUCTION, "DATABASES")["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_development_opens_a_connection_per_request_and_conn_max_age_is_configurable():
    development = {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x"}
    assert _settings_under(development, "DATABASES")["DATABASES"]["default"]["CONN_MAX_AGE"] == 0
    tuned = _settings_under({**PRODUCTION, "CONN_MAX_AGE": "300"}, "DATABASES")["DATABASES"]["default"]
    assert tuned["CONN_MAX_AGE"] == 300


def test_the_beat_intervals_come_from_the_environment():
    schedule = _settings_under(PRODUCTION, "CELERY_BEAT_SCHEDULE")["CELERY_BEAT_SCHEDULE"]
    assert schedule["deadline-reminders"]["schedule"] == 900
    assert schedule["reconcile-letters"]["schedule"] == 300
    assert schedule["delivery-failure-report"]["schedule"] == 86400
    tuned = {**PRODUCTION, "REMINDER_SWEEP_SECONDS": "60", "LETTER_RECONCILE_SECONDS": "120"}
    schedule = _settings_under({**tuned, "DELIVERY_REPORT_SECONDS": "3600"}, "CELERY_BEAT_SCHEDULE")[
        "CELERY_BEAT_SCHEDULE"
    ]
    assert schedule["deadline-reminders"]["schedule"] == schedule["information-request-reminders"]["schedule"] == 60
    assert schedule["reconcile-letters"]["schedule"] == 120
    assert schedule["delivery-failure-report"]["schedule"] == 3600


def test_sessions_and_the_signed_in_user_in_redis_when_a_cache_url_names_redis():
    values = _settings_under(
        {**PRODUCTION, "CACHE_URL": "redis://redis.internal:6379/1"},
        "CACHES",
        "SESSION_ENGINE",
        "AUTH_USER_CACHE",
        "CACHE_IS_SHARED",
    )
    assert values["CACHES"]["default"]["BACKEND"] == "foerderportal.redis_cache.RedisCache"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["AUTH_USER_CACHE"] is True
    assert values["CACHE_IS_SHARED"] is True  # the dashboard's memberships from the cache too


def test_sessions_and_users_from_the_database_alone_without_a_shared_cache():
    """A process-local cache cannot carry a changed password or a deactivation to the other workers."""
    values = _settings_under(PRODUCTION, "CACHES", "SESSION_ENGINE", "AUTH_USER_CACHE", "CACHE_IS_SHARED")
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert values["AUTH_USER_CACHE"] is False
    assert values["CACHE_IS_SHARED"] is False
    # A file cache is not shared across nodes; operators may also keep users out of Redis.
    assert _settings_under(
        {**PRODUCTION, "CACHE_URL": "filecache:///tmp/fp-cache"}, "AUTH_USER_CACHE", "CACHE_IS_SHARED"
    ) == {"AUTH_USER_CACHE": False, "CACHE_IS_SHARED": False}
    switched_off = {**PRODUCTION, "CACHE_URL": "redis://redis.internal:6379/1", "AUTH_USER_CACHE": "false"}
    assert _settings_under(switched_off, "AUTH_USER_CACHE") == {"AUTH_USER_CACHE": False}


def test_embedded_sqlite_waits_for_the_write_lock_instead_of_failing():
    options = _settings_under({"DEBUG": "true"}, "DATABASES")["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA synchronous=NORMAL" in options["init_command"]
