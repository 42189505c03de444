"""Checks every TeamMoa app must pass as a reusable library, shared by the packages' tests.

Subclass :class:`AppLibraryChecks` in a ``test_*.py`` module as ``Test…`` and set the
class attributes; pytest collects the inherited tests.
"""

from __future__ import annotations

import ast
import importlib
import io
import re
import tomllib
from pathlib import Path
from typing import ClassVar

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import get_resolver
from django.utils.functional import Promise

SERVICE_DRIVERS = {"channels-redis", "channels_redis", "mysqlclient", "redis"}


def pending_migrations(*labels: str) -> str:
    """What ``makemigrations --check --dry-run`` would write; empty when nothing."""
    out = io.StringIO()
    try:
        call_command("makemigrations", *labels, "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # --check exits non-zero when a model change has no migration
        return out.getvalue()
    return ""


def declared_dependency_names(pyproject: Path) -> set[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return {
        re.split(r"[\s<>=!~;\[]", dependency, maxsplit=1)[0].lower()
        for dependency in project["dependencies"]
    }


# What a sibling app may import of core: its declared public surface (core's README,
# "Public surface for the sibling apps"). Anything else is core's own business.
CORE_PUBLIC_MODULES: frozenset[str] = frozenset(
    {
        "teammoa.core.api",
        "teammoa.core.conf",
        "teammoa.core.dates",
        "teammoa.core.errors",
        "teammoa.core.events",
        "teammoa.core.models",
        "teammoa.core.navigation",
        "teammoa.core.permissions",
        "teammoa.core.services",
        "teammoa.core.signals",
        "teammoa.core.text",
        "teammoa.core.users",
        "teammoa.core.views",
        "teammoa.core.websocket",
    }
)
# Whole packages whose every module is public (the shared test tooling).
CORE_PUBLIC_PACKAGES: tuple[str, ...] = ("teammoa.core.testing",)


def core_modules_imported(source: Path) -> dict[str, set[str]]:
    """Every ``teammoa.core`` module the Python files under ``source`` import, by file
    (``from teammoa.core import errors`` counts as ``teammoa.core.errors``)."""
    found: dict[str, set[str]] = {}
    for path in source.rglob("*.py"):
        modules: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                if node.module == "teammoa.core":
                    modules |= {f"teammoa.core.{alias.name}" for alias in node.names}
                else:
                    modules.add(node.module)
        core = {m for m in modules if m == "teammoa.core" or m.startswith("teammoa.core.")}
        if core:
            found[str(path.relative_to(source))] = core
    return found


class AppLibraryChecks:
    """AppConfig, migrations, URL namespace, user model and dependency direction."""

    label: ClassVar[str]
    module: ClassVar[str]
    verbose_name: ClassVar[str]
    # Modules the app must never import (the site, sibling apps).
    forbidden_imports: ClassVar[tuple[str, ...]] = ("teammoa_site",)
    pyproject: ClassVar[Path]
    user_model: ClassVar[str] = "testapp.User"

    @property
    def source(self) -> Path:
        return Path(importlib.import_module(self.module).__file__).parent

    def test_app_config(self) -> None:
        config = apps.get_app_config(self.label)
        assert config.name == self.module
        assert str(config.verbose_name) == self.verbose_name
        # Translatable: rendered in the active language, not frozen at import.
        assert isinstance(config.verbose_name, Promise)

    def test_default_auto_field_is_pinned_by_the_app(self) -> None:
        # Whatever the host's DEFAULT_AUTO_FIELD (Django 6 changed its default), the
        # AppConfig pins BigAutoField itself; the next test shows a host's AutoField is ignored.
        config = apps.get_app_config(self.label)
        assert config.default_auto_field == "django.db.models.BigAutoField"
        assert "default_auto_field" in vars(type(config))

    @pytest.mark.django_db
    def test_makemigrations_finds_nothing_to_do(self) -> None:
        assert pending_migrations() == ""

    @pytest.mark.django_db
    def test_a_host_projects_default_auto_field_makes_no_migration(self) -> None:
        with override_settings(DEFAULT_AUTO_FIELD="django.db.models.AutoField"):
            assert pending_migrations(self.label) == ""

    def test_the_url_include_mounts_the_app_namespace(self) -> None:
        urls = importlib.import_module(f"{self.module}.urls")
        assert urls.app_name == self.label
        resolver = get_resolver()
        assert self.label in resolver.namespace_dict
        assert resolver.app_dict[self.label] == [self.label]
        _prefix, namespace_resolver = resolver.namespace_dict[self.label]
        names = {name for name in namespace_resolver.reverse_dict if isinstance(name, str)}
        assert {p.name for p in urls.urlpatterns if getattr(p, "name", None)} <= names

    def test_the_user_model_is_the_custom_test_user(self) -> None:
        assert self.user_model == settings.AUTH_USER_MODEL
        assert get_user_model()._meta.label == self.user_model
        assert apps.get_model("auth", "User")._meta.swapped == self.user_model

    def test_the_app_never_imports_the_site_or_a_sibling(self) -> None:
        names = "|".join(re.escape(name) for name in self.forbidden_imports)
        forbidden = re.compile(rf"^\s*(from|import)\s+({names})\b", re.MULTILINE)
        offenders = [
            str(path.relative_to(self.source))
            for path in self.source.rglob("*.py")
            if forbidden.search(path.read_text(encoding="utf-8"))
        ]
        assert offenders == []

    def test_the_app_imports_only_cores_public_surface(self) -> None:
        if self.module == "teammoa.core":
            pytest.skip("core is the surface")
        private = {
            path: sorted(
                module
                for module in modules
                if module not in CORE_PUBLIC_MODULES
                and not module.startswith(tuple(f"{p}." for p in CORE_PUBLIC_PACKAGES))
                and module not in CORE_PUBLIC_PACKAGES
            )
            for path, modules in core_modules_imported(self.source).items()
        }
        assert {path: modules for path, modules in private.items() if modules} == {}

    def test_service_drivers_are_left_to_the_site(self) -> None:
        # channels-redis and mysqlclient belong to the site that picks the services.
        names = declared_dependency_names(self.pyproject)
        assert names.isdisjoint(SERVICE_DRIVERS)
        if self.module != "teammoa.core":
            assert "teammoa-core" in names
