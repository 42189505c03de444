"""The site's URLs plus views that lose the database, for tests/test_unavailable.py."""

from __future__ import annotations

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from teammoa_site.urls import handler500  # noqa: F401 - the handler under test
from teammoa_site.urls import urlpatterns as site_urlpatterns


def gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError(2003, "Can't connect to server on '127.0.0.1' (111)")


def broken(request: HttpRequest) -> HttpResponse:
    raise OperationalError(1054, "Unknown column 'x' in 'field list'")


urlpatterns = [
    path("gone/", gone),
    path("api/v1/gone/", gone),
    path("broken/", broken),
    *site_urlpatterns,
]
