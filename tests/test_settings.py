"""Production settings: `check --deploy` is clean; missing secrets stop the start."""

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
