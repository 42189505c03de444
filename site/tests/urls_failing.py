"""The site's URLs plus one view that fails, for the error-path tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from teammoa_site.urls import urlpatterns as site_urlpatterns


class Boom(RuntimeError):
    pass


def boom(request: HttpRequest, token: str = "") -> HttpResponse:
    raise Boom("the view failed on purpose")


urlpatterns = [
    path("boom/", boom, name="boom"),
    # A failing view behind a key in the address, as the calendar feed has.
    path("boom/<str:token>.ics", boom, name="boom_with_key"),
    *site_urlpatterns,
]
