"""The settings family (SPEC section 7), each case in a child process with a clean environment."""

from __future__ import annotations

import secrets

import pytest

from tests.support.processes import clean_env, report_settings, run_manage

PROD = "teammoa_site.settings.prod"
NO_ISSUES = "System check identified no issues (0 silenced)."

DESCRIBE = """
from django.conf import settings
from channels.layers import get_channel_layer
database = settings.DATABASES["default"]
layer = get_channel_layer()
report = {
    "settings": settings.SETTINGS_MODULE,
    "debug": settings.DEBUG,
    "engine": database["ENGINE"],
    "name": str(database["NAME"]),
    "host": database.get("HOST"),
    "port": database.get("PORT"),
    "options": database.get("OPTIONS", {}),
    "test": database.get("TEST", {}),
    "conn_max_age": database["CONN_MAX_AGE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "layer_backend": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "layer_hosts": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "layer_class": type(layer).__module__ + "." + type(layer).__name__,
    "redis_url": settings.REDIS_URL,
}
"""


def strong_secret_key() -> str:
    return secrets.token_urlsafe(64)


# --- development: no environment at all ---------------------------------------------------


def test_dev_check_passes_with_no_environment_at_all():
    result = run_manage("check", env=clean_env())

    assert result.returncode == 0, result.stderr
    assert NO_ISSUES in result.stdout


def test_dev_uses_sqlite_and_the_in_memory_channel_layer_with_no_environment():
    report = report_settings(DESCRIBE, clean_env())

    assert report["settings"] == "teammoa_site.settings.dev"
    assert report["debug"] is True
    assert report["engine"] == "django.db.backends.sqlite3"
    assert report["name"].endswith("db.sqlite3")
    assert report["conn_max_age"] == 0
    assert report["layer_backend"] == "channels.layers.InMemoryChannelLayer"
    assert report["layer_class"] == "channels.layers.InMemoryChannelLayer"
    assert report["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert report["redis_url"] == ""


# --- production -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "missing"),
    [
        ({"ALLOWED_HOSTS": "teammoa.example"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": "teammoa.example", "SECRET_KEY": "   "}, "SECRET_KEY"),
        ({"SECRET_KEY": "k" * 64}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "k" * 64, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "k" * 64, "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
        ({}, "SECRET_KEY"),
    ],
)
def test_prod_refuses_to_start_without_a_required_variable(variables, missing):
    result = run_manage("check", env=clean_env(DJANGO_SETTINGS_MODULE=PROD, **variables))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the {missing} environment variable" in result.stderr
    assert NO_ISSUES not in result.stdout


def test_prod_passes_check_deploy_without_warnings():
    env = clean_env(
        DJANGO_SETTINGS_MODULE=PROD,
        SECRET_KEY=strong_secret_key(),
        ALLOWED_HOSTS="teammoa.example,www.teammoa.example",
    )

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert NO_ISSUES in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "Warning" not in result.stderr


def test_prod_check_deploy_would_report_a_weak_setup():
    """The --deploy test above can fail: a weak key and no HTTPS are reported."""
    env = clean_env(
        DJANGO_SETTINGS_MODULE=PROD,
        SECRET_KEY="short",
        ALLOWED_HOSTS="teammoa.example",
        SECURE_SSL_REDIRECT="false",
    )

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr  # weak SECRET_KEY
    assert "security.W008" in result.stderr  # no SECURE_SSL_REDIRECT


def test_prod_settings_are_secure():
    env = clean_env(
        DJANGO_SETTINGS_MODULE=PROD,
        SECRET_KEY=strong_secret_key(),
        ALLOWED_HOSTS="teammoa.example, www.teammoa.example",
    )
    report = report_settings(
        "from django.conf import settings as s\n"
        "report = {name: getattr(s, name) for name in [\n"
        "    'DEBUG', 'ALLOWED_HOSTS', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS',\n"
        "    'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER',\n"
        "    'SECURE_REDIRECT_EXEMPT']}\n",
        env,
    )

    assert report["DEBUG"] is False
    assert report["ALLOWED_HOSTS"] == ["teammoa.example", "www.teammoa.example"]
    assert report["SECURE_SSL_REDIRECT"] is True
    assert report["SECURE_HSTS_SECONDS"] >= 31536000
    assert report["SESSION_COOKIE_SECURE"] is True
    assert report["CSRF_COOKIE_SECURE"] is True
    assert report["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


# --- services selected by URL -----------------------------------------------------------------


def test_database_url_selects_mysql_in_utf8mb4_without_persistent_connections():
    env = clean_env(DATABASE_URL="mysql://teammoa:secret@db.internal:3307/teammoa")

    report = report_settings(DESCRIBE, env)

    assert report["engine"] == "django.db.backends.mysql"
    assert (report["name"], report["host"], report["port"]) == ("teammoa", "db.internal", 3307)
    assert report["options"]["charset"] == "utf8mb4"
    assert report["conn_max_age"] == 0
    assert report["test"]["CHARSET"] == "utf8mb4"
    assert report["test"]["NAME"] == "test_teammoa_site"


def test_database_test_name_comes_from_the_environment():
    env = clean_env(
        DATABASE_URL="mysql://root@127.0.0.1:3306/teammoa", DATABASE_TEST_NAME="test_other"
    )

    assert report_settings(DESCRIBE, env)["test"]["NAME"] == "test_other"


def test_conn_max_age_stays_zero_even_when_the_url_asks_for_more():
    # Under ASGI every request opens its own connection (SPEC section 7).
    env = clean_env(DATABASE_URL="mysql://root@127.0.0.1:3306/teammoa?conn_max_age=600")

    assert report_settings(DESCRIBE, env)["conn_max_age"] == 0


ENTRY_POINTS = """
import importlib
from django.db import connections
from django.conf import settings
report = {"settings": settings.DATABASES["default"]["CONN_MAX_AGE"],
          "checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]}
importlib.import_module("teammoa_site.wsgi")
report["wsgi"] = connections["default"].settings_dict["CONN_MAX_AGE"]
importlib.import_module("teammoa_site.asgi")
report["asgi"] = connections["default"].settings_dict["CONN_MAX_AGE"]
"""


def test_persistent_connections_are_for_the_wsgi_server_only():
    # The WSGI server's threads are bounded, so it may keep a connection per thread; the
    # ASGI application runs every request in a fresh thread and must not (SPEC section 7).
    env = clean_env(DATABASE_URL="mysql://root@127.0.0.1:3306/teammoa", DATABASE_CONN_MAX_AGE="60")

    report = report_settings(ENTRY_POINTS, env)

    assert report == {"settings": 60, "checks": True, "wsgi": 60, "asgi": 0}


def test_sessions_are_read_from_redis_when_there_is_one():
    describe = "from django.conf import settings\nreport = {'engine': settings.SESSION_ENGINE}"

    with_redis = report_settings(describe, clean_env(REDIS_URL="redis://cache.internal:6380/3"))
    without = report_settings(describe, clean_env())

    assert with_redis["engine"] == "django.contrib.sessions.backends.cached_db"
    assert without["engine"] == "django.contrib.sessions.backends.db"


def test_redis_url_selects_the_redis_cache_and_channel_layer():
    env = clean_env(REDIS_URL="redis://cache.internal:6380/3")

    report = report_settings(DESCRIBE, env)

    assert report["redis_url"] == "redis://cache.internal:6380/3"
    assert report["cache"] == "teammoa_site.cache.ResilientRedisCache"
    assert report["cache_location"] == "redis://cache.internal:6380/3"
    assert report["layer_backend"] == "channels_redis.core.RedisChannelLayer"
    assert report["layer_hosts"] == ["redis://cache.internal:6380/3?socket_timeout=15"]
    assert report["layer_class"] == "channels_redis.core.RedisChannelLayer"
    # The database choice is independent of Redis.
    assert report["engine"] == "django.db.backends.sqlite3"


# --- API throttles --------------------------------------------------------------------------

THROTTLES = """
from django.conf import settings
report = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
"""


def test_api_rates_have_defaults_and_come_from_the_environment():
    assert report_settings(THROTTLES, clean_env()) == {"user": "600/m", "anon": "60/m"}
    custom = clean_env(API_USER_RATE="5000/h", API_ANON_RATE="off")
    assert report_settings(THROTTLES, custom) == {"user": "5000/h", "anon": None}


@pytest.mark.parametrize("value", ["600", "600/5m", "many/m", "0/m"])
def test_a_malformed_api_rate_stops_the_site_with_its_name(value):
    result = run_manage("check", env=clean_env(API_USER_RATE=value))

    assert result.returncode != 0
    assert "API_USER_RATE must be a rate like 600/m" in result.stderr
