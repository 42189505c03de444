"""The apps' API views honour a host project's DRF throttles and answer them like any 429."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from teammoa.core.api.exceptions import exception_handler
from teammoa.core.api.schema import document_throttling
from teammoa.core.testing.factories import make_user

from .api_support import as_user


@pytest.fixture
def host_throttles(monkeypatch):
    """What a host's REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] and rates amount to.

    DRF copies both into class attributes when it is imported, so a settings override
    would not reach them; patching the attributes is what the setting does at start-up.
    """
    monkeypatch.setattr(APIView, "throttle_classes", [UserRateThrottle])
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/m"})
    used: list[str] = []
    yield used
    cache.delete_many([f"throttle_user_{pk}" for pk in used])


@pytest.mark.django_db
def test_past_the_host_projects_rate_the_api_answers_429_with_retry_after(host_throttles):
    user = make_user()
    host_throttles.append(user.pk)
    client = as_user(user)

    answers = [client.get("/api/v1/teams/").status_code for _ in range(3)]
    refused = client.get("/api/v1/teams/")

    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 60
    assert refused.json() == {"detail": f"Too many requests. Try again in {retry_after} seconds."}
    # Another user has an allowance of their own.
    other = make_user()
    host_throttles.append(other.pk)
    assert as_user(other).get("/api/v1/teams/").status_code == 200


def test_a_fraction_of_a_second_is_rounded_up_never_to_zero():
    response = exception_handler(exceptions.Throttled(wait=0.2), {})

    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert response.data == {"detail": "Too many requests. Try again in 1 second."}


def test_a_throttle_without_a_wait_still_says_what_happened():
    response = exception_handler(exceptions.Throttled(), {})

    assert response.status_code == 429
    assert "Retry-After" not in response
    assert response.data == {"detail": "Too many requests. Try again later."}


def test_the_answer_is_in_korean_for_korean_users():
    with translation.override("ko"):
        response = exception_handler(exceptions.Throttled(wait=30), {})

    assert response.data == {"detail": "요청이 너무 많습니다. 30초 뒤에 다시 시도하세요."}


# --- the schema says so ---------------------------------------------------------------------


def _schema() -> dict:
    return {
        "paths": {
            "/api/v1/teams/": {"get": {"responses": {"200": {}}}, "parameters": []},
            "/api/v1/teams/join/": {
                "post": {"responses": {"201": {}, "429": {"description": "join limit"}}}
            },
        },
        "components": {"schemas": {}},
    }


def test_the_schema_hook_documents_a_429_on_every_operation_when_throttled(monkeypatch):
    monkeypatch.setattr(api_settings, "DEFAULT_THROTTLE_CLASSES", [UserRateThrottle])

    result = document_throttling(_schema(), generator=None)

    teams = result["paths"]["/api/v1/teams/"]
    assert teams["get"]["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert teams["parameters"] == []  # not an operation
    join = result["paths"]["/api/v1/teams/join/"]["post"]["responses"]["429"]
    assert join == {"description": "join limit"}  # an operation's own 429 is kept
    assert "Error" in result["components"]["schemas"]


def test_the_schema_hook_changes_nothing_without_throttles(monkeypatch):
    monkeypatch.setattr(api_settings, "DEFAULT_THROTTLE_CLASSES", [])

    assert document_throttling(_schema(), generator=None) == _schema()
