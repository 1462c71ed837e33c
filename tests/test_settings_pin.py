"""The test run pins Celery to eager mode and e-mail to memory, whatever the environment says.

`make test` in a shell (or CI job) with a broker or a mail server configured must neither send
the tests' tasks to that broker nor their e-mails anywhere (tests/settings.py).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from foerderportal.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
# What a developer's shell or a CI job may well have set.
CONFIGURED = {
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
    "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/9",
    "EMAIL_URL": "smtp://mail.example:25",
    "EMAIL_FILE_PATH": "/tmp/foerderportal-mails",  # noqa: S108 - never written: only the setting is read
}
SHOW = """
import json, django
django.setup()
from django.conf import settings
from foerderportal.celery import app
print(json.dumps({
    "eager": app.conf.task_always_eager,
    "propagates": app.conf.task_eager_propagates,
    "broker": app.conf.broker_url,
    "result_backend": app.conf.result_backend,
    "email": settings.EMAIL_BACKEND,
}))
"""


def _resolved(settings_module):
    env = {**os.environ, **CONFIGURED, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": settings_module}
    result = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_pytest_uses_the_test_settings(pytestconfig):
    configured = pytestconfig.getini("DJANGO_SETTINGS_MODULE")
    assert configured == "tests.settings"
    assert os.environ["DJANGO_SETTINGS_MODULE"] == configured, (
        "DJANGO_SETTINGS_MODULE in the environment overrides pyproject.toml's; unset it to run the tests"
    )


def test_this_run_is_eager_with_an_in_memory_broker_and_locmem_mail(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.task_eager_propagates is True
    assert celery_app.conf.broker_url == "memory://"
    assert settings.EMAIL_BACKEND == LOCMEM


def test_a_broker_and_a_mail_server_in_the_environment_do_not_reach_the_test_settings(pytestconfig):
    assert _resolved(pytestconfig.getini("DJANGO_SETTINGS_MODULE")) == {
        "eager": True,
        "propagates": True,
        "broker": "memory://",
        "result_backend": None,
        "email": LOCMEM,
    }


def test_the_same_environment_does_configure_the_real_settings():
    """The check above is not vacuous: the environment does reach foerderportal.settings."""
    resolved = _resolved("foerderportal.settings")
    assert resolved["eager"] is False
    assert resolved["broker"] == CONFIGURED["CELERY_BROKER_URL"]
    assert resolved["email"] == "django.core.mail.backends.filebased.EmailBackend"
