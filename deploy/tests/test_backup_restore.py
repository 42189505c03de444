"""deploy/backup.sh and deploy/restore.sh against the local MariaDB: a dump of the site's
real schema restores into a fresh database with identical rows; rotation; upload."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.support import (
    DEPLOY_DIR,
    django_admin,
    make_team_data,
    mysql_connect,
    mysql_env,
    require,
    scratch_database,
    site_env,
)

FAKES = Path(__file__).resolve().parent / "fakes"
DAY = 24 * 3600


@pytest.fixture(autouse=True)
def _clients(services):
    for tool in ("mysqldump", "mysql", "gzip"):
        require(shutil.which(tool) is not None, f"{tool} is not installed (mariadb-client)")


def run_script(name: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
        **mysql_env(),
        **env,
    }
    return subprocess.run(
        ["bash", str(DEPLOY_DIR / name), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def snapshot(database: str) -> dict[str, list]:
    """Every row of every table, in primary-key order."""
    connection = mysql_connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW TABLES")
            tables = sorted(row[0] for row in cursor.fetchall())
            rows = {}
            for table in tables:
                cursor.execute(f"SELECT * FROM `{table}` ORDER BY 1")  # noqa: S608 - SHOW TABLES
                rows[table] = [list(map(repr, row)) for row in cursor.fetchall()]
            return rows
    finally:
        connection.close()


@pytest.fixture(scope="module")
def source(services, tmp_path_factory):
    """The site's schema with data in it, including text that needs utf8mb4."""
    tmp = tmp_path_factory.mktemp("backup-source")
    with scratch_database("teammoa_deploy_backup") as name:
        env = site_env(tmp, name)
        django_admin(env, "migrate", "--noinput")
        make_team_data(env)
        connection = mysql_connect(name)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_user SET nickname = %s WHERE username = 'deploy_member'",
                ["모아 🚀 O'Brien"],
            )
        connection.commit()
        connection.close()
        yield name


def test_backup_then_restore_into_a_fresh_database_gives_identical_rows(tmp_path, source):
    backups = tmp_path / "backups"

    made = run_script("backup.sh", DB_NAME=source, BACKUP_DIR=str(backups))
    assert made.returncode == 0, made.stderr
    dump = Path(made.stdout.strip())
    assert dump.parent == backups and dump.name.startswith(f"teammoa-{source}-")
    assert dump.name.endswith(".sql.gz")
    assert oct(dump.stat().st_mode & 0o777) == "0o600"
    assert not list(backups.glob("*.partial"))

    with scratch_database("teammoa_deploy_restored") as target:
        # scratch_database made it empty: restore fills it without --yes.
        restored = run_script("restore.sh", str(dump), target)
        assert restored.returncode == 0, restored.stderr
        before, after = snapshot(source), snapshot(target)
        assert after == before
        assert len(before["accounts_user"]) >= 2
        assert any("🚀" in value for row in after["accounts_user"] for value in row)

        again = run_script("restore.sh", str(dump), target)
        assert again.returncode != 0
        assert "pass --yes" in again.stderr
        assert run_script("restore.sh", "--yes", str(dump), target).returncode == 0
        assert snapshot(target) == before


def test_restore_creates_a_missing_database(tmp_path, source):
    dump = Path(run_script("backup.sh", DB_NAME=source, BACKUP_DIR=str(tmp_path)).stdout.strip())
    name = "teammoa_deploy_created"
    try:
        result = run_script("restore.sh", str(dump), name)
        assert result.returncode == 0, result.stderr
        assert snapshot(name) == snapshot(source)
    finally:
        connection = mysql_connect()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()


def test_rotation_removes_only_old_dumps_after_a_good_one(tmp_path, source):
    old = tmp_path / "teammoa-teammoa-20200101T000000Z.sql.gz"
    recent = tmp_path / "teammoa-teammoa-20260101T000000Z.sql.gz"
    unrelated = tmp_path / "notes.txt"
    for path, age in ((old, 20), (recent, 2), (unrelated, 400)):
        path.write_bytes(b"x")
        stamp = time.time() - age * DAY
        os.utime(path, (stamp, stamp))

    result = run_script(
        "backup.sh", DB_NAME=source, BACKUP_DIR=str(tmp_path), BACKUP_KEEP_DAYS="14"
    )

    assert result.returncode == 0, result.stderr
    assert not old.exists()
    assert recent.exists() and unrelated.exists()
    assert "older than 14 days" in result.stderr


def test_a_failed_dump_leaves_nothing_and_rotates_nothing(tmp_path, services):
    old = tmp_path / "teammoa-teammoa-20200101T000000Z.sql.gz"
    old.write_bytes(b"x")
    stamp = time.time() - 30 * DAY
    os.utime(old, (stamp, stamp))

    result = run_script("backup.sh", DB_NAME="teammoa_no_such_db", BACKUP_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "failed" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [old.name]


def test_each_dump_is_uploaded_when_an_s3_uri_is_set(tmp_path, source):
    log = tmp_path / "calls.jsonl"
    result = run_script(
        "backup.sh",
        DB_NAME=source,
        BACKUP_DIR=str(tmp_path / "backups"),
        BACKUP_S3_URI="s3://teammoa-backups/db/",
        FAKE_LOG=str(log),
    )

    assert result.returncode == 0, result.stderr
    dump = Path(result.stdout.strip())
    (call,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert call["args"] == [
        "s3",
        "cp",
        "--only-show-errors",
        str(dump),
        f"s3://teammoa-backups/db/{dump.name}",
    ]


def test_settings_can_come_from_the_env_file(tmp_path, source):
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"DEFAULT_FROM_EMAIL=TeamMoa <noreply@example.com>\nMYSQL_DATABASE={source}\n"
        f"BACKUP_DIR={tmp_path / 'from-env-file'}\nBACKUP_KEEP_DAYS=3\n"
    )

    result = run_script("backup.sh", BACKUP_ENV_FILE=str(env_file))

    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).parent == tmp_path / "from-env-file"


# --- the metrics file for Prometheus (node_exporter's textfile collector) -----------------


def read_metrics(path: Path) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(path.read_text())
        for sample in family.samples
    }


def test_a_good_backup_records_its_time_size_and_the_disk(tmp_path, source):
    metrics = tmp_path / "textfile" / "teammoa_backup.prom"
    metrics.parent.mkdir()
    before = time.time()

    result = run_script(
        "backup.sh",
        DB_NAME=source,
        BACKUP_DIR=str(tmp_path / "backups"),
        BACKUP_METRICS_FILE=str(metrics),
    )

    assert result.returncode == 0, result.stderr
    values = read_metrics(metrics)
    assert before - 1 <= values["teammoa_backup_last_success_timestamp_seconds"] <= time.time()
    assert values["teammoa_backup_last_run_success"] == 1
    assert values["teammoa_backup_last_size_bytes"] == Path(result.stdout.strip()).stat().st_size
    assert (
        0
        < values["teammoa_backup_disk_available_bytes"]
        <= values["teammoa_backup_disk_size_bytes"]
    )
    assert oct(metrics.stat().st_mode & 0o777) == "0o644"  # the collector runs as another user
    assert list(metrics.parent.iterdir()) == [metrics]  # no temporary files left


def test_a_failed_backup_keeps_the_last_success_and_says_it_failed(tmp_path, source):
    metrics = tmp_path / "teammoa_backup.prom"
    backups = tmp_path / "backups"
    good = run_script(
        "backup.sh", DB_NAME=source, BACKUP_DIR=str(backups), BACKUP_METRICS_FILE=str(metrics)
    )
    assert good.returncode == 0, good.stderr
    recorded = read_metrics(metrics)

    failed = run_script(
        "backup.sh",
        DB_NAME="teammoa_no_such_db",
        BACKUP_DIR=str(backups),
        BACKUP_METRICS_FILE=str(metrics),
    )

    assert failed.returncode != 0
    values = read_metrics(metrics)
    assert values["teammoa_backup_last_run_success"] == 0
    for kept in ("teammoa_backup_last_success_timestamp_seconds", "teammoa_backup_last_size_bytes"):
        assert values[kept] == recorded[kept]
