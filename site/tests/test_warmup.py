"""A fresh server process warms up before it serves (``teammoa_site.warmup``, called by
``deploy/serve.py``): its first real request then imports no module and compiles no
template, which cost a cold process 0.6-0.9 s on its first page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SITE_DIR = Path(__file__).resolve().parents[1]

# In a fresh interpreter (this one is warm already): optionally warm, then record what the
# first anonymous page and sign-in form load.
FIRST_REQUESTS = """
import json, sys
import django
django.setup()
from django.core.wsgi import get_wsgi_application
from django.template import engines
from django.utils.translation import trans_real
from teammoa_site.warmup import _request, warm

application = get_wsgi_application()
if sys.argv[1] == "warm":
    warm(application)
loader = engines["django"].engine.template_loaders[0]
before_modules = set(sys.modules)
before_templates = len(getattr(loader, "get_template_cache", {}))
before_catalogs = set(trans_real._translations)
statuses = [_request(application, path, "ko") for path in ("/", "/accounts/login/")]
print("@@" + json.dumps({
    "statuses": statuses,
    "modules": sorted(set(sys.modules) - before_modules),
    "templates": len(getattr(loader, "get_template_cache", {})) - before_templates,
    "catalogs": sorted(set(trans_real._translations) - before_catalogs),
}))
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """A migrated SQLite database of its own (the sign-in form reads the social apps)."""
    database = tmp_path_factory.mktemp("warmup") / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "teammoa_site.settings.test",
        "PYTHONPATH": str(SITE_DIR),
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
    }
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"],
        env=env,
        cwd=SITE_DIR,
        check=True,
        timeout=300,
    )
    return env


def first_requests(env: dict[str, str], mode: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", FIRST_REQUESTS, mode],
        env=env,
        cwd=SITE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    return json.loads(line[2:])


def test_after_the_warm_up_the_first_requests_load_nothing(env):
    seen = first_requests(env, "warm")

    assert [status.split()[0] for status in seen["statuses"]] == ["200", "200"]
    assert seen["modules"] == []
    assert seen["templates"] == 0
    assert seen["catalogs"] == []


def test_a_cold_process_loads_on_its_first_requests(env):
    """The measure above can fail: without the warm-up the same requests load plenty."""
    seen = first_requests(env, "cold")

    assert len(seen["modules"]) > 20
    assert seen["templates"] > 0


def test_a_failing_warm_up_is_logged_and_never_raised(caplog):
    from teammoa_site.warmup import warm

    def broken(environ, start_response):
        raise RuntimeError("boom")

    assert warm(broken) >= 0
    assert "warm-up failed" in caplog.text
