"""``/health/`` turns 503 "draining" once the server is told to stop (TEAMMOA_DRAIN_FILE)."""

from __future__ import annotations

import pytest


@pytest.fixture
def drain_file(settings, tmp_path):
    path = tmp_path / "draining"
    settings.TEAMMOA_DRAIN_FILE = str(path)
    return path


@pytest.mark.django_db
def test_healthy_while_the_drain_file_is_absent(client, drain_file, settings):
    settings.REDIS_URL = ""

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


def test_draining_answers_503_without_touching_dependencies(client, drain_file):
    # No db fixture: a dependency check would fail the test, so none may run.
    drain_file.touch()

    response = client.get("/health/", HTTP_HOST="10.0.0.7")

    assert response.status_code == 503
    assert response.json() == {"status": "draining", "checks": {}}
    assert response["Cache-Control"] == "no-store"


def test_liveness_stays_up_while_draining(client, drain_file):
    drain_file.touch()

    response = client.get("/health/live/")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


@pytest.mark.django_db
def test_an_unset_drain_file_never_drains(client, settings):
    settings.TEAMMOA_DRAIN_FILE = ""
    settings.REDIS_URL = ""

    assert client.get("/health/").status_code == 200
