"""A request that loses the database is answered 503 with Retry-After, not 500
(``teammoa_site.unavailable``); any other error stays a 500. Found by the reliability
session's database outage, where every request answered 500."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError

from teammoa_site.unavailable import database_unavailable

pytestmark = pytest.mark.urls("tests.urls_unavailable")


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


def test_a_page_that_loses_the_database_answers_503(client):
    response = client.get("/gone/", secure=True, HTTP_ACCEPT_LANGUAGE="ko")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "잠시 후 다시 시도해 주세요" in response.content.decode()


def test_the_api_says_so_in_json(client):
    response = client.get("/api/v1/gone/", secure=True)

    assert response.status_code == 503
    assert response.json() == {
        "detail": "TeamMoa is briefly unavailable. Please try again in a moment."
    }


def test_any_other_database_error_is_still_a_500(client):
    assert client.get("/broken/", secure=True).status_code == 500


def test_lost_connections_are_recognised_through_their_cause():
    wrapped = OperationalError(1927, "Connection was killed")
    try:
        try:
            raise wrapped
        except OperationalError as exc:
            raise RuntimeError("while saving") from exc
    except RuntimeError as outer:
        assert database_unavailable(outer)
    assert database_unavailable(InterfaceError("connection already closed"))
    assert not database_unavailable(OperationalError(1205, "Lock wait timeout exceeded"))
    assert not database_unavailable(ValueError("no"))
