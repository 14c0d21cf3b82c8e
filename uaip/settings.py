"""UAIP settings: everything comes from the environment, with zero-configuration defaults for local use.

Production is simply ``DJANGO_DEBUG`` off: then ``SECRET_KEY`` is required and the security settings are strict.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def require_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"Set the {name} environment variable: it is required when DJANGO_DEBUG is off (production)."
        )
    return value


DEBUG = env_bool("DJANGO_DEBUG", default=False)
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

if DEBUG or TESTING:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production-0123456789"
else:
    SECRET_KEY = require_env("SECRET_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG and not TESTING:
    # Without it every request is a 400 "Bad Request": fail at start instead, naming the variable.
    require_env("ALLOWED_HOSTS")
# Only needed for forms posted from another origin (another subdomain, say); same-host HTTPS posts pass as long as
# the proxy's X-Forwarded-Proto is trusted (SECURE_PROXY_SSL_HEADER). Full origins: "https://uaip.example.com".
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_structlog",
    "llm",  # before django_tasks_db: its db_worker command (LLM start-up check) overrides theirs
    "django_tasks_db",
    "django_ratelimit",
    "uaip",
    "accounts",
    "sessions_app",
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
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "uaip.middleware.RequestIdHeaderMiddleware",
    "uaip.middleware.ApiErrorMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "uaip.urls"
WSGI_APPLICATION = "uaip.wsgi.application"
ASGI_APPLICATION = "uaip.asgi.application"

_template_loaders = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Cached in production, re-read on every request while developing.
            "loaders": _template_loaders if DEBUG else [("django.template.loaders.cached.Loader", _template_loaders)],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
# The embedded default, where the web server and db_worker share one file. A deferred transaction that reads and
# then writes cannot wait for another writer (SQLite answers "database is locked" at once, a 500 that lost the
# answer): BEGIN IMMEDIATE takes the write lock first and waits for it (busy_timeout), WAL lets readers go on
# beside a writer.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
if not DEBUG and not os.environ.get("DATABASE_URL") and not TESTING:
    require_env("DATABASE_URL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, health results) -----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Local memory is per process: fine for the single development process, not for several web workers.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "uaip"}}
CACHES["django_structlog"] = CACHES["default"]

# --- Auth ------------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # Argon2 is deliberately slow; tests do not need that.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "sessions:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Internationalisation, static -------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- REST API ---------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # JWT first so unauthenticated API calls get 401 with a WWW-Authenticate header.
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "uaip.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "uaip.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["uaip.ratelimits.ApiThrottle"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
JWT_ACCESS_MINUTES = env_int("JWT_ACCESS_MINUTES", 15)
JWT_REFRESH_DAYS = env_int("JWT_REFRESH_DAYS", 7)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=JWT_ACCESS_MINUTES),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=JWT_REFRESH_DAYS),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY") or SECRET_KEY,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "UAIP API",
    "DESCRIPTION": "U-AIP Scoping Assistant: scoping sessions, the five-stage interview and the AI Project Charter.",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The API's contract is JSON (the browsable API's HTML forms still post form data).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "uaip.api.drop_untrimmed_lengths"],
    # Several fields are called `status`; each set of values gets the name of its model's choices.
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "sessions_app.models.SessionStatus",
        "StageStatusEnum": "sessions_app.models.StageStatus",
        "AnswerStatusEnum": "sessions_app.models.AnswerStatus",
        "RunStatusEnum": "sessions_app.models.RunStatus",
        "RunKindEnum": "sessions_app.models.RunKind",
    },
}

# --- Rate limits (django-ratelimit counters in the default cache) --------------------------------------------
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "uaip.views.ratelimited"
RATE_LIMITS = {
    "session_write": os.environ.get("RATE_LIMIT_SESSION_WRITE", "100/h"),
    "api": os.environ.get("RATE_LIMIT_API", "10000/h"),
    "auth_ip": os.environ.get("RATE_LIMIT_AUTH_IP", "10/h"),
    "auth_email": os.environ.get("RATE_LIMIT_AUTH_EMAIL", "10/h"),
    "answer_submit": os.environ.get("RATE_LIMIT_ANSWER_SUBMIT", "60/m"),
    "charter_generate": os.environ.get("RATE_LIMIT_CHARTER_GENERATE", "10/h"),
}
if not REDIS_URL:
    # django-ratelimit refuses a per-process cache (E003); without REDIS_URL we accept that limits are counted
    # per process, which is right for the single development server. Production sets REDIS_URL.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
else:
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# Sessions untouched this long become "abandoned" (manage.py mark_abandoned_sessions); answering reopens them.
SESSION_ABANDON_AFTER_DAYS = env_int("SESSION_ABANDON_AFTER_DAYS", 30)

# --- Background tasks -------------------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DJANGO_STRUCTLOG_DJANGO_TASKS_ENABLED = True

# --- Security ---------------------------------------------------------------------------------------------------
# Rotating SECRET_KEY: put the old key here (comma-separated) for a while, so sessions, password-reset links and
# signed values made with it stay valid (docs/DEPLOYMENT.md). JWTs have no fallback: see JWT_SIGNING_KEY.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page's meta tag, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every script is a static file from our own origin (htmx via {% htmx_script %} carries the nonce; Swagger UI is
# drf-spectacular's split view, whose initialiser is a same-origin script URL). No CDN anywhere. Inline *styles*
# stay allowed: Swagger UI's page has a <style> block and sets style attributes.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}
if CSP_REPORT_URI := os.environ.get("CSP_REPORT_URI", "").strip():
    SECURE_CSP["report-uri"] = [CSP_REPORT_URI]
if not DEBUG:
    # The test client speaks plain HTTP; everything else about production stays on under pytest.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not TESTING)
    # Load balancers and the container's HEALTHCHECK probe over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Behind a TLS-terminating proxy (nginx in deploy/nginx.conf) Django sees plain HTTP; trust the proxy's
    # X-Forwarded-Proto only when it is the sole way in and overwrites that header (our nginx example does).
    if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


# --- LLM --------------------------------------------------------------------------------------------------------
# The gateway (llm/gateway.py) tries LLM_PROVIDERS in order; a provider without configuration is skipped
# (no ANTHROPIC_API_KEY -> no Anthropic, no OLLAMA_HOST -> no Ollama). docs/LLM.md explains every setting.
def env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, got {value!r}.") from exc


ANTHROPIC_API_KEY = os.environ.get("ANTHROPIC_API_KEY", "")
ANTHROPIC_BASE_URL = os.environ.get("ANTHROPIC_BASE_URL", "")
OLLAMA_HOST = os.environ.get("OLLAMA_HOST", "")
LLM_PROVIDERS = env_list("LLM_PROVIDERS", "anthropic,ollama,offline")
LLM_OFFLINE_ENABLED = env_bool("LLM_OFFLINE_ENABLED", default=True)
LLM_ANTHROPIC_MODELS = {  # per tier; any model id the Messages API accepts (it must be in LLM_PRICES)
    "fast": os.environ.get("LLM_ANTHROPIC_MODEL_FAST", "claude-haiku-4-5"),
    "balanced": os.environ.get("LLM_ANTHROPIC_MODEL_BALANCED", "claude-sonnet-4-6"),
}
LLM_ANTHROPIC_TIMEOUTS = {  # seconds per request, per tier
    "fast": env_seconds("LLM_ANTHROPIC_TIMEOUT_FAST", 30),
    "balanced": env_seconds("LLM_ANTHROPIC_TIMEOUT_BALANCED", 60),
}
LLM_OLLAMA_MODELS = {  # Ollama's own model names, never a Claude id
    "fast": os.environ.get("LLM_OLLAMA_MODEL_FAST", os.environ.get("LLM_OLLAMA_MODEL", "llama3.2")),
    "balanced": os.environ.get("LLM_OLLAMA_MODEL_BALANCED", os.environ.get("LLM_OLLAMA_MODEL", "llama3.2")),
}
LLM_OLLAMA_TIMEOUT = env_seconds("LLM_OLLAMA_TIMEOUT", 120)
LLM_MAX_OUTPUT_TOKENS = env_int("LLM_MAX_OUTPUT_TOKENS", 2048)
LLM_RETRY_ATTEMPTS = env_int("LLM_RETRY_ATTEMPTS", 3)  # per provider, first try included
LLM_RETRY_BACKOFF = env_seconds("LLM_RETRY_BACKOFF", 1)  # first wait; doubles each retry (1, 2, 4, 8 s)
LLM_RETRY_BACKOFF_MAX = env_seconds("LLM_RETRY_BACKOFF_MAX", 8)
LLM_RETRY_AFTER_CAP = env_seconds("LLM_RETRY_AFTER_CAP", 30)  # longest Retry-After we honour
LLM_MAX_TOTAL_ATTEMPTS = env_int("LLM_MAX_TOTAL_ATTEMPTS", 8)  # network attempts per call, all providers
LLM_HEALTH_TIMEOUT = env_seconds("LLM_HEALTH_TIMEOUT", 5)
LLM_HEALTH_CACHE_SECONDS = env_int("LLM_HEALTH_CACHE_SECONDS", 600)
LLM_WORKER_CHECK_ATTEMPTS = env_int("LLM_WORKER_CHECK_ATTEMPTS", 3)
LLM_WORKER_CHECK_DELAY = env_seconds("LLM_WORKER_CHECK_DELAY", 5)
LLM_LOG_PROMPT_LENGTHS = env_bool("LLM_LOG_PROMPT_LENGTHS", default=False)  # lengths only, never the text
# USD per million tokens, keyed by model id (a dated id such as claude-haiku-4-5-20251001 uses its alias's row);
# cache_write is the 5-minute cache-write rate. Prompts over 200K tokens (long-context pricing) are not modelled.
# Local (Ollama) and offline models cost nothing; a configured Claude model missing here fails `manage.py check`.
# claude-sonnet-4-5 reached end of life on 2026-11-30 (the SDK lists it as deprecated); it stays priced for old logs.
LLM_PRICES = {
    "claude-haiku-4-5": {"input": "1.00", "output": "5.00", "cache_write": "1.25", "cache_read": "0.10"},
    "claude-sonnet-4-5": {"input": "3.00", "output": "15.00", "cache_write": "3.75", "cache_read": "0.30"},
    "claude-sonnet-4-6": {"input": "3.00", "output": "15.00", "cache_write": "3.75", "cache_read": "0.30"},
    "claude-opus-4-5": {"input": "5.00", "output": "25.00", "cache_write": "6.25", "cache_read": "0.50"},
}

# --- Logging (structlog, JSON lines to stdout) ------------------------------------------------------------------
from uaip.logging import configure_logging  # noqa: E402

LOGGING = configure_logging(
    level=os.environ.get("LOG_LEVEL", "INFO"), json_logs=env_bool("LOG_JSON", default=not DEBUG)
)
