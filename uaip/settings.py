"""UAIP settings: everything comes from the environment, with zero-configuration defaults for local use.

Production is simply ``DJANGO_DEBUG`` off: then ``SECRET_KEY`` is required and the security settings are strict.
"""

from __future__ import annotations

import logging
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


def env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, got {value!r}.") from exc


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
    "axes",
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
    "sessions_app.interview.request_reads.InterviewReadsMiddleware",  # one load of the answers per request
    "uaip.logging.RequestMiddleware",  # django-structlog's, safe while the database is down
    "uaip.middleware.RequestIdHeaderMiddleware",
    "uaip.middleware.ApiErrorMiddleware",
    "uaip.middleware.DatabaseUnavailableMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, so they see the response of the view whose authenticate() refused the login.
    "uaip.middleware.LoginRefusalMiddleware",
    "axes.middleware.AxesMiddleware",
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
    # Fail-soft (uaip/cache.py): with Redis unreachable, reads miss and writes are dropped with a logged warning,
    # so rate limits fail open and health says "degraded" instead of every request answering 500. Short socket
    # timeouts keep a blackholed Redis from stalling requests.
    CACHES = {
        "default": {
            "BACKEND": "uaip.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env_seconds("REDIS_CONNECT_TIMEOUT", 0.5),
                "socket_timeout": env_seconds("REDIS_TIMEOUT", 1),
            },
        }
    }
else:
    # Local memory is per process: fine for the single development process, not for several web workers.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "uaip"}}
CACHES["django_structlog"] = CACHES["default"]

# --- Auth ------------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# The order is the defence (accounts/backends.py): the per-IP ceiling, then the (account, IP) lock, then the password.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginCeilingBackend",
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailBackend",
]
# django-axes: lock the (account, client IP) pair, never the account alone, so failing on purpose from elsewhere
# cannot keep the owner out. Failures are stored in the database (AccessAttempt), so the lock holds without Redis.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # what every login path passes to authenticate() (the e-mail address)
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.backends.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.backends.axes_lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not recorded; failures are (admin: Access attempts)
AXES_VERBOSE = False
# Proxies in front of the app that append the client's address to X-Forwarded-For (deploy/nginx.conf is one).
# 0 (the default) ignores the header: anyone can send it. See uaip.ratelimits.client_ip.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
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
        "accounts.authentication.EpochJWTAuthentication",  # simplejwt's, plus revocation (session epoch)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["uaip.ratelimits.CountedIsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "uaip.api.Pagination",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "uaip.negotiation.ContentNegotiation",  # unknown ?format= → 406, not 404
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "uaip.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["uaip.ratelimits.ApiThrottle"],
    "DEFAULT_PARSER_CLASSES": [
        "uaip.parsers.StrictJSONParser",  # nesting limit, no NUL or lone surrogates (400, not a 500 further in)
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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
    "DESCRIPTION": "UAIP Scoping Assistant: scoping sessions, the five-stage interview and the AI Project Charter.",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The API's contract is JSON (the browsable API's HTML forms still post form data).
    "PARSER_WHITELIST": ["uaip.parsers.StrictJSONParser"],
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
RATELIMIT_FAIL_OPEN = True  # a counter the cache cannot give (Redis down) lets the request through
RATE_LIMITS = {
    "session_write": os.environ.get("RATE_LIMIT_SESSION_WRITE", "100/h"),
    "api": os.environ.get("RATE_LIMIT_API", "10000/h"),
    # Every login and registration attempt from one client IP, whatever the account (bounds password spraying).
    # Failed logins per (account, IP) are limited by django-axes (AXES_FAILURE_LIMIT) on top of this.
    "auth_ip": os.environ.get("RATE_LIMIT_AUTH_IP", "60/h"),
    "register_pair": os.environ.get("RATE_LIMIT_REGISTER_PAIR", "5/h"),  # per (e-mail address, client IP)
    "api_anonymous": os.environ.get("RATE_LIMIT_API_ANONYMOUS", "600/h"),  # refused unauthenticated calls per IP
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
# Reviewers' sign-offs that approve a charter whose decision is "submit to committee" (any other decision: one).
CHARTER_SIGNOFF_QUORUM = env_int("CHARTER_SIGNOFF_QUORUM", 2)

# --- Account security: e-mail, password reset, idempotency keys (accounts/, uaip/idempotency.py) ---------------
# E-mail (password-reset links). While developing it goes to the console (stdout) unless EMAIL_HOST is set. In
# production it always goes through SMTP, to EMAIL_HOST or else a relay on localhost:25: the console would put reset
# links in the logs (and `check --deploy` refuses it). Django 6.1 configures mail with MAILERS (the EMAIL_HOST…
# settings are deprecated); the environment variables keep their usual names (docs/DEPLOYMENT.md).
_email_host = os.environ.get("EMAIL_HOST", "").strip()  # lower-case names: not settings Django would warn about
_email_ssl = env_bool("EMAIL_USE_SSL", default=False)  # implicit TLS (port 465)
_email_tls = env_bool("EMAIL_USE_TLS", default=bool(_email_host) and not _email_ssl)  # STARTTLS (port 587)
if _email_host or not (DEBUG or TESTING):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host or "localhost",
                "port": env_int("EMAIL_PORT", 465 if _email_ssl else 587 if _email_tls else 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_ssl": _email_ssl,
                "use_tls": _email_tls,
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "UAIP <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)  # seconds a reset link stays valid
RATE_LIMITS.update(
    {
        "password_reset_ip": os.environ.get("RATE_LIMIT_PASSWORD_RESET_IP", "20/h"),  # requests and confirmations
        "password_reset_email": os.environ.get("RATE_LIMIT_PASSWORD_RESET_EMAIL", "5/h"),  # mails per address
        "account_password": os.environ.get("RATE_LIMIT_ACCOUNT_PASSWORD", "20/h"),  # change, delete: per user
    }
)
# An Idempotency-Key's first response is replayed for this long; a request still running after
# IDEMPOTENCY_LOCK_SECONDS is taken for dead (its process crashed) and the key may be used again.
IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 24)
IDEMPOTENCY_LOCK_SECONDS = env_int("IDEMPOTENCY_LOCK_SECONDS", 60)

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
# -- Deadlines, breaker, stop reasons, Ollama options (docs/LLM.md "Time and failures") --
LLM_DEADLINES = {  # seconds for a whole complete() call, all retries and providers; offline always answers after
    "quality_check": env_seconds("LLM_DEADLINE_QUALITY_CHECK", 60),
    "extraction": env_seconds("LLM_DEADLINE_EXTRACTION", 45),
    "consistency": env_seconds("LLM_DEADLINE_CONSISTENCY", 120),
    "charter": env_seconds("LLM_DEADLINE_CHARTER", 180),
    "adapted_example": env_seconds("LLM_DEADLINE_ADAPTED_EXAMPLE", 30),  # asked for on demand, from the page
    "health": env_seconds("LLM_DEADLINE_HEALTH", 10),
}
LLM_CONNECT_TIMEOUT = env_seconds("LLM_CONNECT_TIMEOUT", 5)  # opening a connection; the read timeout is per tier
LLM_MIN_ATTEMPT_SECONDS = env_seconds("LLM_MIN_ATTEMPT_SECONDS", 2)  # less left before the deadline: move on
LLM_TRUNCATED_RETRY_MAX_TOKENS = env_int("LLM_TRUNCATED_RETRY_MAX_TOKENS", 8192)  # the one retry after max_tokens
LLM_BREAKER_FAILURES = env_int("LLM_BREAKER_FAILURES", 5)  # consecutive outage errors that open a circuit
LLM_BREAKER_COOLDOWN = env_seconds("LLM_BREAKER_COOLDOWN", 120)  # seconds a circuit stays open
LLM_DEPRECATION_WARNING_DAYS = env_int("LLM_DEPRECATION_WARNING_DAYS", 60)  # warn this long before end of life
LLM_OLLAMA_KEEP_ALIVE = os.environ.get("LLM_OLLAMA_KEEP_ALIVE", "10m")  # how long Ollama keeps the model loaded
LLM_OLLAMA_MIN_CTX = env_int("LLM_OLLAMA_MIN_CTX", 4096)  # num_ctx is sized to the prompt, at least this
LLM_OLLAMA_MAX_CTX = env_int("LLM_OLLAMA_MAX_CTX", 32768)  # a prompt needing more is refused, never cut
LLM_OLLAMA_THINKING_MODELS = env_list("LLM_OLLAMA_THINKING_MODELS", "qwen3,deepseek-r1,magistral")  # think=False
# USD per million tokens, keyed by model id (a dated id such as claude-haiku-4-5-20251001 uses its alias's row);
# cache_write is the 5-minute cache-write rate. A row's optional "long_context" holds the rates for a request
# whose prompt (input + cache write + cache read tokens) exceeds its "above" (Haiku 5.5: 100K; Sonnet 4.5: 200K),
# applied to every token of that request. Sources and unverified figures: docs/LLM.md "Prices".
# Local (Ollama) and offline models cost nothing; a configured Claude model missing here fails `manage.py check`.
# claude-sonnet-4-5 reached end of life on 2026-11-30 (the SDK lists it as deprecated); it stays priced for old logs.
LLM_PRICES = {
    "claude-haiku-5-5": {
        "input": "0.10",
        "output": "0.50",
        "cache_write": "0.125",
        "cache_read": "0.01",
        "long_context": {
            "above": 100_000,
            "input": "0.50",
            "output": "2.50",
            "cache_write": "0.625",
            "cache_read": "0.05",
        },
    },
    "claude-sonnet-5-5": {"input": "2.00", "output": "10.00", "cache_write": "2.50", "cache_read": "0.20"},
    "claude-sonnet-5": {"input": "2.00", "output": "10.00", "cache_write": "2.50", "cache_read": "0.20"},
    "claude-opus-5": {"input": "5.00", "output": "25.00", "cache_write": "6.25", "cache_read": "0.50"},
    "claude-opus-4-8": {"input": "5.00", "output": "25.00", "cache_write": "6.25", "cache_read": "0.50"},
    "claude-opus-4-7": {"input": "5.00", "output": "25.00", "cache_write": "6.25", "cache_read": "0.50"},
    "claude-opus-4-6": {"input": "5.00", "output": "25.00", "cache_write": "6.25", "cache_read": "0.50"},
    "claude-haiku-4-5": {"input": "1.00", "output": "5.00", "cache_write": "1.25", "cache_read": "0.10"},
    "claude-sonnet-4-6": {"input": "3.00", "output": "15.00", "cache_write": "3.75", "cache_read": "0.30"},
    "claude-sonnet-4-5": {
        "input": "3.00",
        "output": "15.00",
        "cache_write": "3.75",
        "cache_read": "0.30",
        "long_context": {
            "above": 200_000,
            "input": "6.00",
            "output": "22.50",
            "cache_write": "7.50",
            "cache_read": "0.60",
        },
    },
    "claude-opus-4-5": {"input": "5.00", "output": "25.00", "cache_write": "6.25", "cache_read": "0.50"},
}

# --- Background runs and the worker (sessions_app/runs; docs/DEPLOYMENT.md "When the worker or the database stops") ---
# While a run's handler works (a model call may take a minute), the worker refreshes the run's heartbeat every
# RUN_HEARTBEAT_SECONDS. Every worker's reaper looks every RUN_REAP_SECONDS (and when the worker starts) for running
# runs whose heartbeat is older than RUN_STUCK_AFTER_SECONDS, whose worker is gone, and fails them as retryable,
# freeing the user's one-run slot: with 5/30/15 a killed worker's run is settled 30-50 s after the kill. Keep
# RUN_STUCK_AFTER_SECONDS several heartbeats long, or a live run may be declared dead. A run queued for
# RUN_QUEUE_TIMEOUT_SECONDS that no worker took fails ("no background worker picked this up").
# On a database outage the worker waits WORKER_DB_RETRY_SECONDS, doubling up to WORKER_DB_RETRY_MAX_SECONDS.
RUN_HEARTBEAT_SECONDS = env_seconds("RUN_HEARTBEAT_SECONDS", 5)
RUN_PARTIAL_TEXT_SECONDS = env_seconds("RUN_PARTIAL_TEXT_SECONDS", 0.5)  # how often a streaming run saves its text
RUN_STUCK_AFTER_SECONDS = env_seconds("RUN_STUCK_AFTER_SECONDS", 30)
RUN_REAP_SECONDS = env_seconds("RUN_REAP_SECONDS", 15)
RUN_QUEUE_TIMEOUT_SECONDS = env_seconds("RUN_QUEUE_TIMEOUT_SECONDS", 600)
WORKER_DB_RETRY_SECONDS = env_seconds("WORKER_DB_RETRY_SECONDS", 1)
WORKER_DB_RETRY_MAX_SECONDS = env_seconds("WORKER_DB_RETRY_MAX_SECONDS", 30)

# --- Logging (structlog, JSON lines to stdout) ------------------------------------------------------------------
from uaip.logging import configure_logging  # noqa: E402

LOGGING = configure_logging(
    level=os.environ.get("LOG_LEVEL", "INFO"), json_logs=env_bool("LOG_JSON", default=not DEBUG)
)
# One line per request (request_finished, with duration and user agent; see uaip.logging): the start line only
# at LOG_LEVEL=DEBUG.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG
