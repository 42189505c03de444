"""System checks ``teammoa_core.E001``–``E003`` for the core app's settings."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from teammoa.core.checks import check_settings


def core_ids() -> list[str]:
    """The ids of the core checks that fire, run the way ``manage.py check`` runs them."""
    return [message.id for message in checks.run_checks() if message.id.startswith("teammoa_core")]


def test_defaults_are_silent():
    assert check_settings() == []
    assert core_ids() == []


@override_settings(
    TEAMMOA_ATTACHMENT_MAX_BYTES=1,
    TEAMMOA_ATTACHMENT_ACCEL_PREFIX="/protected/",
    TEAMMOA_JOIN_ATTEMPTS="5/15m",
)
def test_good_values_are_silent():
    assert check_settings() == []


@pytest.mark.parametrize("value", [0, -1, "10485760", 1.5, True, None])
def test_e001_attachment_max_bytes_must_be_a_positive_integer(value):
    with override_settings(TEAMMOA_ATTACHMENT_MAX_BYTES=value):
        (error,) = check_settings()
        assert core_ids() == ["teammoa_core.E001"]

    assert error.id == "teammoa_core.E001"
    assert error.level == checks.ERROR
    assert "TEAMMOA_ATTACHMENT_MAX_BYTES" in error.msg
    assert repr(value) in error.msg


@pytest.mark.parametrize("value", ["protected/", "/protected", "", "protected", 5, ["/p/"]])
def test_e002_accel_prefix_must_be_none_or_a_slash_delimited_path(value):
    with override_settings(TEAMMOA_ATTACHMENT_ACCEL_PREFIX=value):
        (error,) = check_settings()
        assert core_ids() == ["teammoa_core.E002"]

    assert error.id == "teammoa_core.E002"
    assert "TEAMMOA_ATTACHMENT_ACCEL_PREFIX" in error.msg
    assert "/protected/" in error.hint


@pytest.mark.parametrize("value", ["junk", "0/h", "10/0m", "10", 10, None])
def test_e003_join_attempts_must_be_a_rate(value):
    with override_settings(TEAMMOA_JOIN_ATTEMPTS=value):
        (error,) = check_settings()
        assert core_ids() == ["teammoa_core.E003"]

    assert error.id == "teammoa_core.E003"
    assert "TEAMMOA_JOIN_ATTEMPTS" in error.msg


@override_settings(
    TEAMMOA_ATTACHMENT_MAX_BYTES=0,
    TEAMMOA_ATTACHMENT_ACCEL_PREFIX="nope",
    TEAMMOA_JOIN_ATTEMPTS="nope",
)
def test_every_bad_value_is_reported_at_once():
    assert core_ids() == ["teammoa_core.E001", "teammoa_core.E002", "teammoa_core.E003"]


@override_settings(TEAMMOA_JOIN_ATTEMPTS="whenever")
def test_manage_py_check_fails_on_a_bad_setting():
    with pytest.raises(SystemCheckError, match=r"teammoa_core\.E003"):
        call_command("check")


# --- the host project's settings -----------------------------------------------------------

DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def test_the_test_project_is_a_correct_host():
    from teammoa.core.checks import check_host_project

    assert check_host_project() == []


def test_e004_messages_app_missing(settings):
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "django.contrib.messages"]
    assert "teammoa_core.E004" in core_ids()


def test_e004_messages_middleware_missing(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "MessageMiddleware" not in m]
    assert core_ids() == ["teammoa_core.E004"]


def test_w001_dummy_cache_makes_the_join_limit_count_nothing():
    with override_settings(CACHES=DUMMY):
        assert core_ids() == ["teammoa_core.W001"]


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        ({"DEFAULT_AUTHENTICATION_CLASSES": ["x.JWTAuthentication"]}, ["teammoa_core.E005"]),
        ({"DEFAULT_RENDERER_CLASSES": ["x.YAMLRenderer"]}, ["teammoa_core.E006"]),
        (
            {
                "DEFAULT_AUTHENTICATION_CLASSES": [
                    "x.JWTAuthentication",
                    "rest_framework.authentication.SessionAuthentication",
                ],
                "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
                # Versioning is pinned off in the apps' views, so a host may version its own.
                "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
            },
            [],
        ),
    ],
)
def test_host_rest_framework_settings_that_break_the_pages(rest, expected):
    with override_settings(REST_FRAMEWORK=rest):
        assert core_ids() == expected


def test_host_versioning_does_not_break_the_api(client, django_user_model):
    """A host project that versions its own API by URL path must not make every TeamMoa
    endpoint fail (the apps' URLs carry no version)."""
    user = django_user_model.objects.create_user("versioned", password="pw-123456789")
    client.force_login(user)
    rest = {
        "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
        "ALLOWED_VERSIONS": ["2"],
    }
    with override_settings(REST_FRAMEWORK=rest):
        response = client.get("/api/v1/teams/")
    assert response.status_code == 200, response.content
