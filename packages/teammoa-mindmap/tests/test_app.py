"""The mindmap app as a library: its AppConfig, migrations, URLs and the user model."""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import get_resolver
from django.utils.functional import Promise

import teammoa.mindmap
from tests.testapp.models import User

LABEL = "teammoa_mindmap"
SOURCE = Path(teammoa.mindmap.__file__).parent


def pending_migrations(*labels: str) -> str:
    """What ``makemigrations --check --dry-run`` would write; empty when nothing."""
    out = io.StringIO()
    try:
        call_command("makemigrations", *labels, "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # --check exits non-zero when a model change has no migration
        return out.getvalue()
    return ""


def test_app_config():
    config = apps.get_app_config(LABEL)

    assert config.name == "teammoa.mindmap"
    assert config.label == LABEL
    assert str(config.verbose_name) == "TeamMoa mindmaps"
    # Translatable: rendered in the active language, not frozen at import.
    assert isinstance(config.verbose_name, Promise)


def test_default_auto_field_is_pinned_by_the_app():
    # Whatever the host project's DEFAULT_AUTO_FIELD (Django 6 changed its default), the
    # AppConfig pins BigAutoField itself; the next test shows a host's AutoField is ignored.
    config = apps.get_app_config(LABEL)
    assert config.default_auto_field == "django.db.models.BigAutoField"
    assert "default_auto_field" in vars(type(config))


@pytest.mark.django_db
def test_makemigrations_finds_nothing_to_do():
    assert pending_migrations() == ""


@pytest.mark.django_db
@override_settings(DEFAULT_AUTO_FIELD="django.db.models.AutoField")
def test_a_host_projects_default_auto_field_makes_no_migration():
    assert pending_migrations(LABEL) == ""


def test_the_url_include_mounts_the_app_namespace():
    from teammoa.mindmap import urls

    assert urls.app_name == LABEL
    resolver = get_resolver()
    assert LABEL in resolver.namespace_dict
    assert resolver.app_dict[LABEL] == [LABEL]
    # Every named page can be found under the namespace.
    _prefix, namespace_resolver = resolver.namespace_dict[LABEL]
    names = {name for name in namespace_resolver.reverse_dict if isinstance(name, str)}
    assert {p.name for p in urls.urlpatterns if getattr(p, "name", None)} <= names


def test_the_user_model_is_the_custom_test_user():
    assert settings.AUTH_USER_MODEL == "testapp.User"
    assert get_user_model() is User
    assert apps.get_model("auth", "User")._meta.swapped == "testapp.User"


def test_the_app_uses_only_core_and_never_the_site_or_a_sibling():
    forbidden = re.compile(r"^\s*(from|import)\s+(teammoa_site|teammoa\.schedule)\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if forbidden.search(path.read_text())
    ]
    assert offenders == []


def test_service_drivers_are_left_to_the_site():
    # channels-redis and mysqlclient belong to the site that picks the services.
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    names = {
        re.split(r"[\s<>=!~;\[]", dependency, maxsplit=1)[0].lower()
        for dependency in project["dependencies"]
    }

    assert names.isdisjoint({"channels-redis", "channels_redis", "mysqlclient", "redis"})
    assert "teammoa-core" in names


def test_websocket_routes_live_under_ws():
    # nginx sends /ws/ to the WebSocket server (SPEC section 8).
    from teammoa.mindmap.routing import websocket_urlpatterns

    assert isinstance(websocket_urlpatterns, list)
    for pattern in websocket_urlpatterns:
        assert str(pattern.pattern).startswith("ws/"), pattern
