"""Production static files: no ES module reaches a sibling by its unhashed name."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import override_settings

RELATIVE_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.(?:js|mjs)$")


def relative_imports(root):
    found = {}
    for path in root.rglob("*.js"):
        if HASHED.search(path.name):
            found[path] = RELATIVE_IMPORT.findall(path.read_text(encoding="utf-8"))
    return found


@pytest.mark.parametrize(
    ("backend", "stale"),
    [
        ("teammoa_site.storage.HashedStaticFilesStorage", False),
        # The control: Django's storage as the production settings used it before.
        ("django.contrib.staticfiles.storage.ManifestStaticFilesStorage", True),
    ],
)
def test_collectstatic_leaves_no_unhashed_relative_import(tmp_path, settings, backend, stale):
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    imports = relative_imports(tmp_path)
    modules_with_imports = {p: i for p, i in imports.items() if i}
    assert modules_with_imports, "expected the apps' ES modules to import each other"
    unhashed = sorted(
        f"{path.name}: {target}"
        for path, targets in modules_with_imports.items()
        for target in targets
        if not HASHED.search(target)
    )
    assert bool(unhashed) is stale, unhashed


def test_the_production_settings_use_it():
    from tests.test_settings import PROD, clean_env, report_settings, strong_secret_key

    env = clean_env(
        DJANGO_SETTINGS_MODULE=PROD, SECRET_KEY=strong_secret_key(), ALLOWED_HOSTS="x.example"
    )
    report = report_settings(
        "from django.conf import settings as s\n"
        "report = {'backend': s.STORAGES['staticfiles']['BACKEND']}\n",
        env,
    )
    assert report["backend"] == "teammoa_site.storage.HashedStaticFilesStorage"
