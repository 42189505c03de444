"""``OPTIONS`` on every core API view: a description, never a 500 (issue 9: DRF's
metadata needs one ``serializer_class``, which TeamMoa's views do not declare)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from teammoa.core import services
from teammoa.core.testing.factories import host_of

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            yield route


def test_options_describes_every_core_api_view(team, member):
    host = host_of(team).user
    day = "2026-12-01"
    ids = {
        "teams": team.pk,
        "members": member.pk,
        "milestones": services.create_milestone(
            host, team.pk, title="M", start_date=day, end_date=day
        ).pk,
        "todos": services.create_todo(host, team.pk, "T").pk,
        "posts": services.create_post(host, team.pk, title="P", body="").pk,
    }
    ids["comments"] = services.create_comment(host, team.pk, ids["posts"], "C").pk
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(member.user)
    seen = 0
    for route in routes():
        parts = route.split("/")
        path = "/" + "/".join(
            str(ids[parts[i - 1]]) if PARAMETER.fullmatch(part) else part
            for i, part in enumerate(parts)
        )
        response = client.options(path)
        assert response.status_code == 200, (path, response.status_code)
        body = response.json()
        assert "OPTIONS" in body["allowed_methods"]
        assert "application/json" in body["parses"]
        seen += 1
    assert seen >= 16
