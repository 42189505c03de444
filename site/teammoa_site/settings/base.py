"""Settings shared by every environment, read from environment variables by django-environ.

With no environment at all the site uses SQLite and the in-memory channel layer;
``DATABASE_URL`` and ``REDIS_URL`` switch to MySQL/MariaDB and Redis.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from teammoa_site.logs import logging_config
from teammoa_site.proxy import DEFAULT_TRUSTED_PROXIES, parse_networks

SITE_DIR = Path(__file__).resolve().parents[2]
PACKAGE_DIR = SITE_DIR / "teammoa_site"

env = environ.Env()
# An optional env file for local runs; real deployments pass the environment directly.
if env.str("TEAMMOA_ENV_FILE", default=""):
    environ.Env.read_env(env.str("TEAMMOA_ENV_FILE"))

DEBUG = False
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django (daphne first: its runserver serves HTTP and WebSockets)
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # Django's widget templates, for the site's form renderer
    # third party
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our static files
    "channels",
    "django_prose_editor",  # the board's editor (ProseMirror), static files only
    # TeamMoa
    "teammoa_site.accounts",
    "teammoa.core",
    "teammoa.schedule",
    "teammoa.mindmap",
]

MIDDLEWARE = [
    # First: every request timed; /metrics answered before host validation and redirects.
    "teammoa_site.metrics.MetricsMiddleware",
    # The request id (X-Request-ID) on every log line, and one access-log line per request.
    "teammoa_site.logs.RequestIdMiddleware",
    # Health answers before host validation, HTTPS redirects and sessions.
    "teammoa_site.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with request.user read from the cache when it still verifies the session.
    "teammoa_site.accounts.usercache.CachedUserAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "teammoa_site.urls"
FORM_RENDERER = "teammoa_site.forms.SiteFormRenderer"
WSGI_APPLICATION = "teammoa_site.wsgi.application"
ASGI_APPLICATION = "teammoa_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# allauth's EmailAddress declares a conditional unique constraint that MySQL/MariaDB
# cannot create (models.W036). Uniqueness of e-mail addresses is enforced by the
# unique index on accounts.User.email instead, so the warning carries no risk here.
SILENCED_SYSTEM_CHECKS = ["models.W036"]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{SITE_DIR / 'db.sqlite3'}"),
}
# Under ASGI every request runs in a fresh thread with a fresh connection; persistent
# connections would linger and exhaust MySQL's max_connections (see SPEC section 7), so
# teammoa_site.asgi forces 0 whatever is set here. A WSGI server with a bounded number of
# threads (deploy/gunicorn.conf.py) keeps one connection per thread open instead:
# DATABASE_CONN_MAX_AGE seconds (the URL's own conn_max_age is ignored on purpose).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# A kept connection that the server closed meanwhile is replaced, not used and failed.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            # A statement waiting for a table's metadata lock (a migration behind a long
            # transaction, a test's flush behind an open one) fails after a minute instead
            # of MariaDB's default of a day, holding every query queued behind it.
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES', SESSION lock_wait_timeout=60",
            "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5),
        }
    )
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("DATABASE_TEST_NAME", default="test_teammoa_site"),
        "CHARSET": "utf8mb4",
        "COLLATION": "utf8mb4_unicode_ci",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and channel layer -----------------------------------------------------
REDIS_URL: str = env.str("REDIS_URL", default="")


def _with_query(url: str, **options: str) -> str:
    """``url`` with ``options`` added to its query string (those it sets itself win)."""
    parts = urlsplit(url)
    query = {**options, **dict(parse_qsl(parts.query))}
    return urlunsplit(parts._replace(query=urlencode(query)))


if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, failing open while Redis is down (teammoa_site.cache).
            "BACKEND": "teammoa_site.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="teammoa"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, exactly as long as
                # the layer's blocking pop waits for a message: every idle receive then
                # failed, and messages between server processes stalled. Longer than the
                # pop, a dead connection is still noticed.
                "hosts": [_with_query(REDIS_URL, socket_timeout="15")],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="teammoa"),
                # Each server process's inbox: the mindmap hub puts one message per change
                # batch or cursor tick per mindmap there, so 1000 is minutes of headroom
                # where the default 100 silently dropped whole group sends under load.
                "capacity": 1000,
                # A message older than this is stale (a live process reads in milliseconds);
                # it bounds what piles up for a process that died.
                "expiry": 30,
                # The hubs re-join their groups every minute, so a dead process's channel
                # leaves every group within five.
                "group_expiry": 300,
            },
        }
    }
    # Sessions are read on nearly every request: from Redis, with the database as the
    # durable copy (a flushed cache signs nobody out).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# A 1 ms GIL switch interval in the processes that serve mindmap sockets: the busy event
# loop then lets the writer thread's database round trips through promptly (halved the
# p99 of moves under load; docs/benchmarks.md). The app leaves the interpreter alone
# unless its host opts in, as the site does here.
TEAMMOA_MINDMAP_SWITCH_INTERVAL = 0.001
# Written every second by the socket server (deploy/serve.py sets it for both servers) and
# read by /health/ in whichever process answers it: the socket path's readiness.
TEAMMOA_MINDMAP_STATUS_FILE = env.str("TEAMMOA_MINDMAP_STATUS_FILE", default="") or None
# A hub, presence registry or writer holding a piece of work this long is "stalled".
TEAMMOA_MINDMAP_STALL_SECONDS = env.float("TEAMMOA_MINDMAP_STALL_SECONDS", default=5.0)

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Signed in, a person wants their teams, not the landing page.
LOGIN_REDIRECT_URL = "teammoa_core:team_list"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("ACCOUNT_CONFIRMATION_DAYS", default=3)
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "teammoa_site.accounts.validators.username_validators"
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SIGNUP_FORM_CLASS = "teammoa_site.accounts.forms.NicknameSignupForm"
ACCOUNT_ADAPTER = "teammoa_site.accounts.adapter.AccountAdapter"
# Greetings ("Successfully signed in as …", e-mails) use the nickname.
ACCOUNT_USER_DISPLAY = "teammoa_site.accounts.adapter.user_display"
# allauth signs in only when the link is opened in the browser session that signed up (a
# link leaked from the mailbox elsewhere confirms but signs no one in).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # Failed logins per client address and per account (allauth counts them in the cache).
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/5m/ip,5/5m/key"),
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[TeamMoa] "
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
# Optional social login: a provider is enabled only when its client id and secret are set.
for _provider in ("google", "github"):
    _client_id = env.str(f"{_provider.upper()}_CLIENT_ID", default="")
    _secret = env.str(f"{_provider.upper()}_CLIENT_SECRET", default="")
    if _client_id and _secret:
        INSTALLED_APPS.append(f"allauth.socialaccount.providers.{_provider}")
        SOCIALACCOUNT_PROVIDERS[_provider] = {
            "APPS": [{"client_id": _client_id, "secret": _secret, "key": ""}],
            "SCOPE": ["profile", "email"] if _provider == "google" else ["user:email"],
        }

# Seconds a signed-in user's row is reused from the cache (every save replaces it at once;
# teammoa_site.accounts.usercache; a change saved while Redis was down shows after this at
# most); 0 reads it from the database on every request.
TEAMMOA_USER_CACHE_SECONDS = env.int("USER_CACHE_SECONDS", default=60)

# Accounts that never confirmed their e-mail are purged after this many days.
TEAMMOA_UNCONFIRMED_ACCOUNT_DAYS = env.int("UNCONFIRMED_ACCOUNT_DAYS", default=7)

# --- E-mail -------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587; the console by default.
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="TeamMoa <noreply@teammoa.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates and times as Koreans write them ("2026년 12월 7일 오후 3:05", not "… 3:05 오후").
FORMAT_MODULE_PATH = ["teammoa_site.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------
STATIC_URL = env.str("STATIC_URL", default="/static/")
STATIC_ROOT = env.path("STATIC_ROOT", default=SITE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=SITE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640

# --- API ----------------------------------------------------------------------------------


def _api_rate(name: str, default: str) -> str | None:
    """A DRF throttle rate from the environment ("600/m"); "off" turns the throttle off."""
    value = env.str(name, default=default).strip().lower()
    if value in {"", "off", "none"}:
        return None
    number, _slash, period = value.partition("/")
    if not (number.isdigit() and int(number) > 0 and period[:1] in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(
            f"{name} must be a rate like 600/m (per s, m, h or d) or off, not {value!r}"
        )
    return value


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Every API view of the apps honours these (they pin no throttles of their own). Sized
    # so no person meets them: a busy member makes a few requests a second at most; a
    # runaway script gets 429 with Retry-After. Counted in the default cache (Redis in
    # production, so every server process shares the counts), as one counter per period
    # rather than DRF's list of request times (teammoa_site.throttling).
    "DEFAULT_THROTTLE_CLASSES": [
        "teammoa_site.throttling.AnonRateThrottle",
        "teammoa_site.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": _api_rate("API_USER_RATE", "600/m"),
        "anon": _api_rate("API_ANON_RATE", "60/m"),
    },
    # The client address is REMOTE_ADDR, which the ASGI layer sets from X-Forwarded-For
    # only for trusted proxies (TRUSTED_PROXIES); DRF must not read the header itself.
    "NUM_PROXIES": 0,
    # Domain errors from the services become HTTP statuses in one place.
    "EXCEPTION_HANDLER": "teammoa.core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TeamMoa API",
    "DESCRIPTION": "Teams, schedules, mindmaps, todos and the team board.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ loads Swagger UI from the site's own static files: it works on a box
    # without internet, and under the same Content Security Policy as every other page.
    "SWAGGER_UI_DIST": "SIDECAR",
    # Every endpoint is throttled (above), so every operation documents its 429.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "teammoa.core.api.schema.document_throttling",
    ],
}

# --- Proxies ------------------------------------------------------------------------------
# Peers whose X-Forwarded-For/-Proto are believed (addresses or CIDR networks, comma
# separated): the client address and scheme behind nginx. From anyone else those headers
# are dropped (teammoa_site.proxy). docker-compose.prod.yml sets nginx's address.
TEAMMOA_TRUSTED_PROXIES: list[str] = env.list(
    "TRUSTED_PROXIES", default=list(DEFAULT_TRUSTED_PROXIES)
)
parse_networks(tuple(TEAMMOA_TRUSTED_PROXIES))  # a bad entry stops every command, named

# --- Health -------------------------------------------------------------------------------
# Seconds each dependency check may take before /health/ reports it failing.
TEAMMOA_HEALTH_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=1.5)
# Seconds an answer is reused: probes from several balancers cost one check at most.
TEAMMOA_HEALTH_CACHE_SECONDS = env.float("HEALTH_CHECK_CACHE_SECONDS", default=1.0)

# --- Logging ------------------------------------------------------------------------------
# "json" (one JSON object per line, with the request id; production's default) or "plain".
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)

# --- Metrics and error tracking (SPEC section 9, Operations) ------------------------------
# /metrics: with a token only "Authorization: Bearer <token>" is answered (401 otherwise);
# switched off it is a 404. nginx admits /metrics only from the monitoring network.
TEAMMOA_METRICS_TOKEN = env.str("TEAMMOA_METRICS_TOKEN", default="")
TEAMMOA_METRICS_ENABLED = env.bool("TEAMMOA_METRICS_ENABLED", default=True)
# The release running: the image tag (set by the compose files), in metrics and Sentry.
TEAMMOA_RELEASE = env.str("TEAMMOA_RELEASE", default="")
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
