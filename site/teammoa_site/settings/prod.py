"""Production: no defaults for secrets; HTTPS everywhere. Passes ``check --deploy``."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from teammoa_site.logs import logging_config

from .base import *  # noqa: F403
from .base import LOG_LEVEL, STORAGES, env

DEBUG = False


def _missing(name: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"Set the {name} environment variable: production settings refuse to start without it."
    )


SECRET_KEY = env.str("SECRET_KEY", default="").strip()
if not SECRET_KEY:
    raise _missing("SECRET_KEY")
# A value of only commas or blanks (e.g. an unset variable in a compose file) counts as unset:
# an empty list would start a site that refuses every request.
ALLOWED_HOSTS = [host.strip() for host in env.list("ALLOWED_HOSTS", default=[]) if host.strip()]
if not ALLOWED_HOSTS:
    raise _missing("ALLOWED_HOSTS")

# TLS ends at nginx, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe health over plain HTTP (patterns match the path without "/").
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,
    # Hashed names for every file and for every ES module import between them.
    "staticfiles": {"BACKEND": "teammoa_site.storage.HashedStaticFilesStorage"},
}
# Attachments are handed to nginx through X-Accel-Redirect under this internal location.
TEAMMOA_ATTACHMENT_ACCEL_PREFIX = env.str("ATTACHMENT_ACCEL_PREFIX", default="/protected/") or None

# Created by the production server (deploy/serve.py) when SIGTERM arrives: /health/ then
# answers 503 "draining" so load balancers stop routing here before the sockets close.
TEAMMOA_DRAIN_FILE = env.str("TEAMMOA_DRAIN_FILE", default="")

# JSON log lines (with the request id) for the log collector; LOG_FORMAT=plain to read by eye.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
