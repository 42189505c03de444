"""What every page leans on: the icon at /favicon.ico, the API docs from our own files,
and the language switcher's script."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_the_site_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("/teammoa_core/favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("teammoa_core/favicon.svg")
    assert client.post("/favicon.ico").status_code == 405


def test_api_docs_load_swagger_ui_from_our_static_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "jsdelivr" not in html and "<style" not in html
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources, html
    for source in sources:
        assert source.startswith("/"), source  # same origin, never a CDN
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert inline == []
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        static = next(s for s in sources if s.endswith(name))
        assert finders.find(static.removeprefix("/static/")), static


def test_api_docs_start_up_script_is_a_file_naming_the_schema(client):
    script = client.get("/api/docs/?script=")

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_every_page_loads_the_language_switcher_script(client):
    html = client.get("/").content.decode()

    assert re.search(r'<script type="module" src="/static/teammoa_core/js/language\.js">', html)
    # The button stays in the markup: without JavaScript it applies the choice.
    assert re.search(r'<form class="language-switcher"[\s\S]*?<button type="submit"', html)
