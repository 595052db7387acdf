"""Settings for IAM Console, read from environment variables.

The defaults give the embedded run: SQLite and a filesystem task broker under
``var/``, secrets generated once into ``var/``. A production deployment sets
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``SECRET_KEY`` and
``IAM_ENCRYPTION_KEYS`` (see the README).
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("IAM_VAR_DIR", str(BASE_DIR / "var")))
DEBUG = env_bool("DEBUG")
# The embedded run (no DATABASE_URL) may invent its own secrets; a deployment
# with a real database must be given them, so that every web worker agrees.
EMBEDDED = env_bool("IAM_EMBEDDED", default=not env("DATABASE_URL"))


def _generated_secret(filename: str, make) -> str:
    """Read a secret from var/, creating it on first use (embedded run only)."""
    path = VAR_DIR / filename
    if path.exists():
        return path.read_text().strip()
    if not (EMBEDDED or DEBUG):
        raise ImproperlyConfigured(
            f"{filename} is not set: give it in the environment (see README, production)."
        )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = make()
    # Written with 0600 so that other local users cannot read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


SECRET_KEY = env("SECRET_KEY") or _generated_secret(
    "secret_key", lambda: secrets.token_urlsafe(50)
)

# Keys that encrypt secrets at rest (access-key secrets, TOTP seeds):
# "id:base64key,id2:base64key"; the first is used to encrypt, all decrypt.
IAM_ENCRYPTION_KEYS = env("IAM_ENCRYPTION_KEYS") or (
    "k1:" + _generated_secret(
        "encryption_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
    )
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "core",
    "identities",
    "policies",
    "sts",
    "awsquery",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "identities.middleware.ConsoleSessionMiddleware",
    "core.middleware.ConsoleMiddleware",
    "sts.middleware.ConsoleRoleMiddleware",
]
# API calls (awsquery.wsgi) read no session, form or page: HTTPS and its headers
# only (the lane checks the host itself).
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
]

ROOT_URLCONF = "iamconsole.urls"
WSGI_APPLICATION = "iamconsole.wsgi.application"

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
                "iamconsole.chrome.console",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Wait for a writer instead of failing at once: the embedded run has a
    # web server and a Celery worker writing to the same file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
elif env("DATABASE_SERVER_SIDE_BINDING", "true").lower() == "true":
    # Parameters travel apart from the SQL, so psycopg prepares a statement the
    # fifth time a connection runs it: PostgreSQL then parses and plans each of
    # the API's few statements once per connection instead of once per request.
    # Set DATABASE_SERVER_SIDE_BINDING=false behind a pooler in transaction mode,
    # which cannot keep a connection's prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identities.User"
AUTHENTICATION_BACKENDS = ["identities.backends.ConsoleBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "identities:signin"
LOGIN_REDIRECT_URL = "identities:dashboard"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Production serves only HTTPS: redirect, HSTS, Secure cookies with the __Host-
# prefix. The embedded run and DEBUG serve plain HTTP on 127.0.0.1.
IAM_HTTPS = env_bool("IAM_HTTPS", default=not (EMBEDDED or DEBUG))
SECURE_SSL_REDIRECT = IAM_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000 if IAM_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = IAM_HTTPS
SECURE_HSTS_PRELOAD = IAM_HTTPS
if env_bool("IAM_BEHIND_TLS_PROXY"):
    # Only when a named proxy terminates TLS and sets this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Absolute session lifetime (AWS's console: 12 hours), idle timeout, and how
# recent a password or MFA proof must be before changing credentials.
IAM_SESSION_MAX_AGE = env_int("IAM_SESSION_MAX_AGE", 12 * 3600)
IAM_SESSION_IDLE_SECONDS = env_int("IAM_SESSION_IDLE_SECONDS", 3600)
IAM_REAUTHENTICATE_SECONDS = env_int("IAM_REAUTHENTICATE_SECONDS", 15 * 60)
SESSION_COOKIE_AGE = IAM_SESSION_MAX_AGE
SESSION_COOKIE_SECURE = env_bool("IAM_SECURE_COOKIES", default=IAM_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # __Host-: the browser only accepts it Secure, for "/", without a Domain.
    SESSION_COOKIE_NAME = "__Host-iam-session"
    CSRF_COOKIE_NAME = "__Host-iam-csrf"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# No inline scripts or styles anywhere; Bootstrap's CSS uses data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
# whitenoise also serves STATIC_ROOT and warns when it is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
# Served from the finders so that the embedded run needs no collectstatic.
WHITENOISE_USE_FINDERS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis in production, a filesystem broker for the embedded run.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Sign-in throttling: failures allowed per window, per identity and per client
# address, before every attempt is refused until the window has passed.
IAM_SIGNIN_WINDOW_SECONDS = env_int("IAM_SIGNIN_WINDOW_SECONDS", 15 * 60)
IAM_SIGNIN_MAX_FAILURES_PER_IDENTITY = env_int("IAM_SIGNIN_MAX_FAILURES_PER_IDENTITY", 10)
IAM_SIGNIN_MAX_FAILURES_PER_ADDRESS = env_int("IAM_SIGNIN_MAX_FAILURES_PER_ADDRESS", 50)
# How long the password step stays valid while the MFA code is awaited.
IAM_MFA_PENDING_SECONDS = env_int("IAM_MFA_PENDING_SECONDS", 5 * 60)
# The address that sign-in throttling and the event history see. Proxies are
# not trusted unless named: X-Forwarded-For is ignored by default.
IAM_TRUSTED_PROXIES = env_list("IAM_TRUSTED_PROXIES")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# How long events are kept in the event history.
IAM_EVENT_RETENTION_DAYS = env_int("IAM_EVENT_RETENTION_DAYS", 90)
# How long a server process gathers successful read events before writing them
# (audit.event_writer): at most what a worker killed outright loses.
IAM_EVENT_BATCH_MS = env_int("IAM_EVENT_BATCH_MS", 100)
# How long expired role sessions are kept for the record before deletion.
IAM_SESSION_RETENTION_DAYS = env_int("IAM_SESSION_RETENTION_DAYS", 7)

CELERY_BEAT_SCHEDULE = {
    "purge-sign-in-throttles": {
        "task": "identities.purge_sign_in_throttles",
        "schedule": 15 * 60,
    },
    # Cleanup and bookkeeping only: every request checks expiry itself.
    "sts-expire-role-sessions": {"task": "sts.expire_role_sessions", "schedule": 60.0},
    "sts-delete-old-sessions": {"task": "sts.delete_old_sessions", "schedule": 24 * 3600},
    "delete-old-events": {"task": "audit.delete_old_events", "schedule": 60 * 60},
}
