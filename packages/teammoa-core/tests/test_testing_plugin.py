"""The ``services`` marker of ``teammoa.core.testing.plugin``, run in a separate pytest."""

from __future__ import annotations

import os
import socket

import pytest

from teammoa.core.testing.services import services_required

pytest_plugins = ["pytester"]

# The inner run: Django configured from the environment the way the packages' test settings
# are (teammoa.core.testing.settings), pytest-django left out so nothing else decides.
CONFTEST = """
import django
from django.conf import settings

from teammoa.core.testing.settings import databases

settings.configure(DATABASES=databases("plugin_test"), INSTALLED_APPS=[])
django.setup()

pytest_plugins = ["teammoa.core.testing.plugin"]
"""
INI = """
[pytest]
addopts = --strict-markers -p no:django -p no:cacheprovider -p no:asyncio -rsf
"""
BODY_RAN = "the test body ran"
# Read before the ``inner`` fixture hides the service URLs from the child runs.
OUTER_REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def inner(pytester, monkeypatch):
    """A pytester whose child runs see no service URLs unless a test sets them."""
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "TEAMMOA_REQUIRE_SERVICES"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    return pytester


def make_test(pytester, marker: str) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        {marker}
        def test_marked():
            print({BODY_RAN!r})
            raise AssertionError({BODY_RAN!r})
        """
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_skips_when_redis_is_not_configured(inner):
    make_test(inner, '@pytest.mark.services("redis")')

    result = inner.runpytest_subprocess()

    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*needs redis (set REDIS_URL=*"])
    assert BODY_RAN not in result.stdout.str()


def test_skips_when_redis_does_not_answer(inner, monkeypatch):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    monkeypatch.setenv("REDIS_URL", url)
    make_test(inner, '@pytest.mark.services("redis")')

    result = inner.runpytest_subprocess()

    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([f"*SKIPPED*needs redis (nothing answers at {url})*"])


def test_skips_when_the_database_is_not_mysql(inner):
    make_test(inner, '@pytest.mark.services("mysql")')

    result = inner.runpytest_subprocess()

    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*needs mysql (set DATABASE_URL=mysql://*"])


def test_a_bare_marker_needs_every_service(inner):
    make_test(inner, "@pytest.mark.services")

    result = inner.runpytest_subprocess()

    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*needs mysql (*); redis (*"])


def test_fails_instead_of_skipping_when_services_are_required(inner, monkeypatch):
    monkeypatch.setenv("TEAMMOA_REQUIRE_SERVICES", "1")
    make_test(inner, '@pytest.mark.services("mysql", "redis")')

    result = inner.runpytest_subprocess()

    # Failed in setup (reported as an error), so the run fails and the body never runs.
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*needs mysql (*); redis (*) (TEAMMOA_REQUIRE_SERVICES=1 makes this a failure)*"]
    )
    assert BODY_RAN not in result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize(
    ("value", "required"),
    [
        ("1", True),
        ("true", True),
        ("yes", True),
        ("TRUE", True),
        (" 1 ", True),
        ("0", False),
        ("", False),
        ("no", False),
        ("false", False),
    ],
)
def test_which_values_require_services(monkeypatch, value, required):
    monkeypatch.setenv("TEAMMOA_REQUIRE_SERVICES", value)

    assert services_required() is required


def test_services_are_not_required_by_default(monkeypatch):
    monkeypatch.delenv("TEAMMOA_REQUIRE_SERVICES", raising=False)

    assert services_required() is False


def test_runs_when_the_service_is_there(inner, monkeypatch):
    # The plugin asks Django which backend the tests use; no server is contacted for that.
    monkeypatch.setenv("DATABASE_URL", "mysql://root@127.0.0.1:3306/teammoa")
    monkeypatch.setenv("TEAMMOA_REQUIRE_SERVICES", "1")
    make_test(inner, '@pytest.mark.services("mysql")')

    result = inner.runpytest_subprocess("-s")

    # The body ran: its own assertion is the failure.
    result.assert_outcomes(failed=1)
    assert BODY_RAN in result.stdout.str()
    assert "TEAMMOA_REQUIRE_SERVICES" not in result.stdout.str()


def test_unmarked_tests_are_left_alone(inner, monkeypatch):
    monkeypatch.setenv("TEAMMOA_REQUIRE_SERVICES", "1")
    inner.makepyfile("def test_plain():\n    assert True\n")

    inner.runpytest_subprocess().assert_outcomes(passed=1)


def test_an_unknown_service_is_an_error(inner):
    make_test(inner, '@pytest.mark.services("postgres")')

    result = inner.runpytest_subprocess()

    assert result.ret != pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*unknown service 'postgres'*"])
    assert BODY_RAN not in result.stdout.str()


def test_the_marker_is_registered_for_strict_markers(inner):
    inner.makepyfile(
        """
        import pytest

        @pytest.mark.services("redis")
        def test_marked():
            pass
        """
    )

    result = inner.runpytest_subprocess("--markers")

    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["@pytest.mark.services(*names)*"])


@pytest.mark.services("redis")
def test_runs_with_a_redis_that_answers(inner, monkeypatch):
    monkeypatch.setenv("REDIS_URL", OUTER_REDIS_URL)
    monkeypatch.setenv("TEAMMOA_REQUIRE_SERVICES", "1")
    make_test(inner, '@pytest.mark.services("redis")')

    result = inner.runpytest_subprocess("-s")

    result.assert_outcomes(failed=1)
    assert BODY_RAN in result.stdout.str()


def test_core_modules_imported_reads_every_import_form(tmp_path):
    from teammoa.core.testing.library import core_modules_imported

    (tmp_path / "a.py").write_text(
        "from teammoa.core.api import TeamScopedView\n"
        "from teammoa.core import errors as domain, text\n"
        "import teammoa.core.models\n"
        "from teammoa.core.api.exceptions import (\n    exception_handler,\n)\n"
        "from django.db import models\n"
    )
    (tmp_path / "b.py").write_text("import json\n")
    assert core_modules_imported(tmp_path) == {
        "a.py": {
            "teammoa.core.api",
            "teammoa.core.errors",
            "teammoa.core.text",
            "teammoa.core.models",
            "teammoa.core.api.exceptions",
        }
    }


def test_redis_server_names_the_program_a_test_starts(inner, monkeypatch):
    monkeypatch.setenv("PATH", "")  # no redis-server to be found
    make_test(inner, '@pytest.mark.services("redis-server")')

    result = inner.runpytest_subprocess()

    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*needs redis-server (the program; apt-get*"])
