"""Settings for the test run (pytest's DJANGO_SETTINGS_MODULE): the real settings, with Celery and
e-mail pinned whatever the environment says.

A shell or CI job with ``CELERY_BROKER_URL``, ``CELERY_RESULT_BACKEND``, ``EMAIL_URL`` or
``EMAIL_FILE_PATH`` set must not send the tests' tasks to a broker or their e-mails anywhere:
tasks run eagerly in process and raise their errors, e-mails land in ``mail.outbox``.
"""

import os

# Like `make test` (and the .env that make writes): a plain `pytest` on a fresh checkout runs too.
os.environ.setdefault("DEBUG", "true")

# Celery reads these two straight from the environment, before any setting (celery.app.utils.Settings),
# so they leave the environment of this process. The broker the environment names is the one the real
# worker in tests/test_celery_worker.py uses (unless CELERY_WORKER_TEST_BROKER_URL names another).
if broker_url := os.environ.pop("CELERY_BROKER_URL", ""):
    os.environ.setdefault("CELERY_WORKER_TEST_BROKER_URL", broker_url)
os.environ.pop("CELERY_RESULT_BACKEND", None)

from foerderportal.settings import *  # noqa: E402, F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
