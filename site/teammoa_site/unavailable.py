"""503 with ``Retry-After`` instead of 500 while the database cannot be reached.

A request that fails because the database server is down, restarting or out of
connections is not a bug of the site: the client should try again shortly, and load
balancers and monitoring should see "unavailable", not "internal error". Django sends
every uncaught exception, from a view or a middleware, to ``handler500``; this one answers
503 for a lost database connection (JSON for the API, a short page otherwise) and leaves
every other error to Django's 500. The request is still logged as an error by Django.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 10
# MySQL/MariaDB client errors for a server that cannot be reached or went away:
# 2002/2003 cannot connect, 2006 gone away, 2013 lost during a query, 2055 lost at
# reading; server errors 1040 too many connections, 1053 shutting down, 1927 killed.
UNAVAILABLE_CODES = {2002, 2003, 2006, 2013, 2055, 1040, 1053, 1927}


def database_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc`` (or an exception it was raised from) is a lost database."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, InterfaceError):
            return True
        if isinstance(exc, OperationalError) and exc.args and exc.args[0] in UNAVAILABLE_CODES:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 for a lost database, Django's 500 page otherwise."""
    if not database_unavailable(sys.exc_info()[1]):
        return defaults.server_error(request)
    message = _("TeamMoa is briefly unavailable. Please try again in a moment.")
    wants_json = request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")
    if wants_json:
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            f'<!doctype html><html lang="{escape(getattr(request, "LANGUAGE_CODE", "en"))}">'
            f'<meta charset="utf-8"><title>{escape(message)}</title>'
            f"<p>{escape(message)}</p></html>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
