"""Whole-site checks that only the composed site can make: the deploy check on the real
database backend, and one OpenAPI schema for every installed app without warnings."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.support.processes import clean_env, run_manage
from tests.test_settings import NO_ISSUES, PROD, strong_secret_key


@pytest.mark.services("mysql", "redis")
@pytest.mark.django_db
def test_check_deploy_is_clean_on_mysql_and_redis():
    db = connection.settings_dict
    url = f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}"
    env = clean_env(
        DJANGO_SETTINGS_MODULE=PROD,
        SECRET_KEY=strong_secret_key(),
        ALLOWED_HOSTS="teammoa.example",
        # The test database exists while this test runs; the configured one may not.
        DATABASE_URL=f"{url}/{db['NAME']}",
        REDIS_URL="redis://127.0.0.1:6379/14",
    )

    result = run_manage("check", "--deploy", "--database", "default", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    # allauth's models.W036 is silenced on MySQL/MariaDB on purpose (see base settings).
    assert NO_ISSUES.split(" (")[0] in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_openapi_schema_of_all_apps_validates_without_warnings(tmp_path):
    env = clean_env(DJANGO_SETTINGS_MODULE="teammoa_site.settings.test")
    out = tmp_path / "schema.yml"

    result = run_manage("spectacular", "--validate", "--fail-on-warn", "--file", str(out), env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    schema = out.read_text(encoding="utf-8")
    for path in (
        "/api/v1/teams/",
        "/api/v1/teams/join/",
        "/api/v1/teams/{team}/todos/{id}/assign/",
        "/api/v1/teams/{team}/schedule/availability/",
    ):
        assert f"  {path}:" in schema, path
