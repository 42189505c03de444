"""Warm a fresh server process before it serves anything.

A new process imports the views, compiles the templates and reads the translation catalogs
on its first requests: the first page after a restart took 0.6-0.9 s instead of 20-40 ms,
a latency spike in every rolling restart. ``deploy/serve.py`` calls :func:`warm` in each
gunicorn worker before it accepts a connection, and in Daphne before it listens, so
``/health/`` (answered by that same process) cannot report healthy before it is warm.

The warm-up sends a few anonymous GET requests through the WSGI application itself (no
socket; in every configured language), which touch neither the database nor the cache
beyond what an anonymous visitor's page does, and resolves the API's paths. A failure is
logged and the server starts anyway: a cold process is slow, not broken.
"""

from __future__ import annotations

import io
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

# Pages an anonymous visitor gets: the landing page (the site's base template, its
# navigation, the static manifest) and the sign-in form (allauth, forms).
PAGES = ("/", "/accounts/login/")
# Resolved (their views imported), not requested: an anonymous API request is refused,
# and its warning would be noise in every start's log.
API_PATHS = ("/api/v1/teams/", "/api/schema/")


def _host() -> str:
    from django.conf import settings

    for host in settings.ALLOWED_HOSTS:
        if host and host != "*":
            return host.lstrip(".")
    return "localhost"


def _request(application: Callable[..., Any], path: str, language: str) -> str:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": _host(),
        "SERVER_PORT": "443",
        "HTTP_HOST": _host(),
        "HTTP_ACCEPT_LANGUAGE": language,
        "HTTP_X_REQUEST_ID": "warm-up",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status: list[str] = []

    def start_response(line: str, headers: list, exc_info: Any = None) -> Callable:
        status.append(line)
        return lambda data: None

    body = application(environ, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return status[0] if status else "no answer"


def warm(application: Callable[..., Any] | None = None) -> float:
    """Serve the warm-up requests through ``application`` (the site's WSGI application
    by default); the seconds it took. Never raises."""
    started = time.monotonic()
    try:
        from django.conf import settings
        from django.urls import resolve

        if application is None:
            from django.core.wsgi import get_wsgi_application

            application = get_wsgi_application()
        answers = [
            f"{path} [{code}] {_request(application, path, code).split(' ', 1)[0]}"
            for path in PAGES
            for code, _name in settings.LANGUAGES
        ]
        for path in API_PATHS:
            resolve(path)
    except Exception:
        logger.warning("warm-up failed; serving cold", exc_info=True)
        return time.monotonic() - started
    seconds = time.monotonic() - started
    logger.info("warmed up in %.2fs: %s", seconds, ", ".join(answers))
    return seconds
