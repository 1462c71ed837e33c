"""Settings for Förderportal, configured from the environment (12-factor).

Development (``DEBUG=true``, what ``make run`` sets) works with no further
configuration: SQLite under ``var/``, Celery eager, e-mails as files under ``var/mail``.
Production (``DEBUG`` unset or false) refuses to start without SECRET_KEY and
DATABASE_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local, git-ignored .env (written by `make` with DEBUG=true) lets plain `manage.py` work on a
# developer's machine; real environment variables always win, and production has no such file.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (production).")
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"

if not DEBUG and not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG is off (production).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    # Two factors for staff (accounts/twofactor.py): TOTP apps and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "foerderportal",  # the shared kernel: template filters ({% load formatting %})
    "accounts",
    "applications",
    "reviews",
    "letters",
    "reminders",
    "correspondence",
    "facilitation",
    "pages",
    "demo",
    "staff",  # the admin start page "Aufgaben" (templates/admin/index.html)
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer before the host check, HTTPS redirect, sessions and CSRF.
    "foerderportal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every page (downloads keep their own) and Permissions-Policy on every response.
    "foerderportal.middleware.ContentSecurityPolicyMiddleware",
    "foerderportal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Staff see the admin and the portal only after the second factor in this session (accounts/twofactor.py).
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A download whose storage does not answer: German 503 page instead of a 500 (files.StorageUnavailable).
    "foerderportal.middleware.StorageUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lockout into our German response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "foerderportal.urls"
WSGI_APPLICATION = "foerderportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production: a new PostgreSQL connection costs a few ms per request;
# the health check replaces a connection the server or a failover closed before it is reused.
# Each gunicorn thread holds one, so max_connections must cover workers x threads per node.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under concurrent writers: WAL lets readers go on while one writes,
    # IMMEDIATE takes the write lock when a transaction starts (not on its first write, where
    # SQLite cannot wait and answers "database is locked"), and a writer waits up to 20 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend whose get_user reads the signed-in user from the shared cache.
    "accounts.backends.CachedUserBackend",
    # Only for sessions from before the cached backend (accounts.backends.LEGACY_BACKEND): remove
    # once they have expired. It never checks a password (CachedUserBackend refuses first).
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "applications:dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # links in e-mails stay valid for three days
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_DAYS", default=3) * 60 * 60 * 24

# The cache holds the mail limits (accounts.limits) and, when it is shared (Redis), the sessions;
# production uses Redis so all workers and nodes share it.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "foerderportal.redis_cache.RedisCache"  # its client reused, not one per call
LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")
# Sessions: read from the shared cache, written through to the database (a flushed or restarted
# Redis logs nobody out); with a process-local cache, the database alone (a session must reach
# every worker).
if CACHES["default"]["BACKEND"] in LOCAL_CACHES:
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
else:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Shared by every worker and node (not process memory, not a file cache): only then may answers
# that a change must retire everywhere at once be kept in it (foerderportal/caching.py).
CACHE_IS_SHARED = CACHES["default"]["BACKEND"] not in (
    *LOCAL_CACHES,
    "django.core.cache.backends.filebased.FileBasedCache",
)
# The signed-in user from the cache (accounts/backends.py): only with a shared cache, so that a
# changed password or a deactivated account reaches all workers at once; AUTH_USER_CACHE=false
# switches it off.
AUTH_USER_CACHE = CACHE_IS_SHARED and env.bool("AUTH_USER_CACHE", default=True)
# Registration and password-reset e-mails per hour: to one address, and asked for by one client.
ORGANISATION_SEARCH_PER_MINUTE = env.int("ORGANISATION_SEARCH_PER_MINUTE", default=120)
ACCOUNT_MAIL_LIMIT_WINDOW = 60 * 60
ACCOUNT_MAIL_LIMIT_PER_ADDRESS = env.int("ACCOUNT_MAIL_LIMIT_PER_ADDRESS", default=3)
ACCOUNT_MAIL_LIMIT_PER_CLIENT = env.int("ACCOUNT_MAIL_LIMIT_PER_CLIENT", default=10)

# /readyz shows its per-check status only to a caller sending "Authorization: Bearer <token>".
READINESS_TOKEN = env.str("READINESS_TOKEN", default="")

# Reverse proxies in front of the portal that append to X-Forwarded-For (0: the header is ignored).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Login throttling (django-axes): five failures for the same user name (normalised: trimmed,
# lower-cased) from the same client address (behind TRUSTED_PROXY_COUNT proxies) lock that pair
# for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor authentication for staff (accounts/twofactor.py). Authenticator apps show the issuer;
# a wrong code doubles the wait before the next try (django-otp's throttling, per device).
OTP_TOTP_ISSUER = "Förderportal"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Releasing decisions and changing roles need a second factor (password and code) this recent.
RECENT_VERIFICATION_SECONDS = env.int("RECENT_VERIFICATION_MINUTES", default=15) * 60
RECOVERY_CODE_COUNT = 10

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and generated files are never served by URL: only permission-checked views read them.
# By default they live in a local folder (one machine); with AWS_STORAGE_BUCKET_NAME set, in a private
# bucket of an S3-compatible object storage that every node shares (foerderportal.files.object_storage).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media-not-served/"
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    MEDIA_STORAGE = {
        "BACKEND": "foerderportal.files.object_storage.PrivateObjectStorage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            # Unset: Amazon S3 itself; otherwise the provider's endpoint (MinIO, Ceph, a cloud's S3 API).
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Unset: boto3 finds credentials itself (instance role, ~/.aws); never in the repository.
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            # A key prefix inside the bucket, e.g. one per installation.
            "location": env.str("AWS_LOCATION", default=""),
            # "path" for most self-hosted servers; "virtual" or unset for Amazon S3.
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads: attachments up to ATTACHMENT_MAX_BYTES; larger request bodies go to disk.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENTS_PER_APPLICATION = 20
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update({k: v for k, v in EMAIL_CONFIG.items() if v not in (None, "")})
# Development (DEBUG on, no EMAIL_URL): e-mails are files under var/mail, listed at /entwicklung/mails/.
DEV_MAIL_PATH = BASE_DIR / "var" / "mail"
if env.str("EMAIL_FILE_PATH", default="") or (DEBUG and not env.str("EMAIL_URL", default="")):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(DEV_MAIL_PATH))
# A hanging SMTP server raises a timeout the tasks retry, instead of running into the task time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Förderportal <foerderportal@fuehrungsakademie.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the contact form's messages go (the academy's mailbox; the default is a placeholder).
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="foerderportal@fuehrungsakademie.example")
# Where the daily report of e-mails that could not be delivered goes (the academy's mailbox).
DELIVERY_REPORT_EMAIL = env.str("DELIVERY_REPORT_EMAIL", default=CONTACT_EMAIL)

# Celery: with no broker configured, tasks run eagerly in process (make run needs no Redis).
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
# A task is acknowledged when it has run, not when a worker fetched it: a worker that dies loses
# nothing. A pool child killed under a task (OOM, SIGKILL) hands the task back at once instead of
# failing it; every task is idempotent, so running it again is safe (docs/architecture.md).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers a fetched, unacknowledged task after the visibility timeout (kombu's default is an
# hour). It must exceed the longest time a worker may legitimately hold a task: the longest hard time
# limit (120 s) plus the longest retry countdown (retry_backoff_max 600 s), so 15 minutes; and a letter
# whose worker died should not wait longer than that. docs/architecture.md has the reasoning.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # kombu looks for expired unacknowledged tasks every interval x throttle seconds (default 10 x 10).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=6),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = "foerderportal"
# One beat process; intervals (not wall-clock crontabs) so daylight-saving switches neither skip nor repeat.
# The reminder sweeps also take over claims stuck past CLAIM_TIMEOUT (a lost or crashed send); the
# multi-node test shortens the interval to watch one beat drive two workers.
REMINDER_SWEEP_SECONDS = env.float("REMINDER_SWEEP_SECONDS", default=15 * 60.0)
# The sweep for lost letter tasks looks at items older than its grace period (10 minutes,
# letters.reconcile): running it more often than that only finds nothing more often.
LETTER_RECONCILE_SECONDS = env.float("LETTER_RECONCILE_SECONDS", default=5 * 60.0)
# How often the beat asks for the day's report of failed e-mail deliveries: it goes out once a day
# (foerderportal.delivery_report), a shorter interval sends it earlier in the day.
DELIVERY_REPORT_SECONDS = env.float("DELIVERY_REPORT_SECONDS", default=24 * 60 * 60.0)
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {"task": "reminders.tasks.send_due_reminders", "schedule": REMINDER_SWEEP_SECONDS},
    "facilitation-report-reminders": {
        "task": "facilitation.tasks.send_report_reminders",
        "schedule": REMINDER_SWEEP_SECONDS,
    },
    "information-request-reminders": {
        "task": "correspondence.tasks.send_request_reminders",
        "schedule": REMINDER_SWEEP_SECONDS,
    },
    # Re-queues receipts, decision letters and announcements whose task was lost (letters.reconcile).
    "reconcile-letters": {"task": "letters.tasks.reconcile_letters", "schedule": LETTER_RECONCILE_SECONDS},
    # Failed e-mail deliveries, reported to the academy once a day (foerderportal.delivery_report).
    "delivery-failure-report": {
        "task": "foerderportal.tasks.send_delivery_failure_report",
        "schedule": DELIVERY_REPORT_SECONDS,
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's widget templates, the plain ones written in Python (the same output, a fraction of the time).
FORM_RENDERER = "foerderportal.form_renderer.FormRenderer"

# Security: secure by default outside development; `manage.py check --deploy` stays clean.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# CSRF failures get a German page in the portal's layout (foerderportal/views.py).
CSRF_FAILURE_VIEW = "foerderportal.views.csrf_failure"
# django-csp 4: no inline scripts or styles anywhere (CSS and JS are static files); downloads set
# their own, stricter sandbox policy (foerderportal.files.responses), which the middleware leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# Browser features the portal never uses are switched off for it and anything it might embed.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        # The eager in-memory broker has no host name; kombu warns about it at exit.
        "kombu.connection": {"level": "ERROR"},
        # WeasyPrint and fontTools log every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
