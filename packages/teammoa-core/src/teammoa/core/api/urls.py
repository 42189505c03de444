"""API routes, mounted by the site under ``/api/v1/``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "teammoa_core_api"

urlpatterns: list[URLPattern] = []
