"""The shipped migrations match the models and stay portable to any host project."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

from teammoa.core import migrations as core_migrations

LABEL = "teammoa_core"


def pending_migrations(*labels: str) -> str:
    """What ``makemigrations --check --dry-run`` would write; empty when nothing."""
    out = io.StringIO()
    try:
        call_command("makemigrations", *labels, "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # --check exits non-zero when a model change has no migration
        return out.getvalue()
    return ""


@pytest.mark.django_db
def test_makemigrations_finds_nothing_to_do():
    assert pending_migrations() == ""


@pytest.mark.django_db
@override_settings(DEFAULT_AUTO_FIELD="django.db.models.AutoField")
def test_a_host_projects_default_auto_field_makes_no_migration():
    # The AppConfig pins BigAutoField, so no host setting can create migrations in
    # site-packages.
    assert pending_migrations(LABEL) == ""


def test_migrations_depend_on_the_user_model_only_through_the_setting():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    migrations = [m for (label, _name), m in loader.disk_migrations.items() if label == LABEL]
    assert migrations, "the app ships no migrations"

    for migration in migrations:
        for dependency in migration.dependencies:
            if dependency[0] in {LABEL, "auth", "contenttypes"}:
                continue
            # swappable_dependency(settings.AUTH_USER_MODEL) resolves to the test user app
            # here and to the host's user app elsewhere; a literal dependency would not.
            assert getattr(dependency, "setting", None) == settings.AUTH_USER_MODEL, (
                migration.name,
                dependency,
            )


MIGRATION_FILES = sorted(Path(core_migrations.__file__).parent.glob("[0-9]*.py"))


@pytest.mark.parametrize("path", MIGRATION_FILES, ids=lambda path: path.name)
def test_migration_files_never_name_a_concrete_user_model(path):
    text = path.read_text().lower()

    assert "testapp" not in text
    assert "'auth.user'" not in text
    assert '"auth.user"' not in text


@pytest.mark.django_db(transaction=True)
def test_each_posts_single_attachment_becomes_its_first_file():
    """0003 moves ``Post.attachment`` into ``PostAttachment`` (same stored file) and back."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [(LABEL, "0002_milestone_dates_in_range")]
    after = [(LABEL, "0003_todo_details_post_attachments_comments")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    team = old.get_model(LABEL, "Team").objects.create(title="T", join_password="x" * 20)
    Post = old.get_model(LABEL, "Post")
    with_file = Post.objects.create(
        team=team,
        title="Minutes",
        attachment="teammoa/attachments/1/abc.pdf",
        attachment_name="회의록.pdf",
        attachment_size=42,
    )
    Post.objects.create(team=team, title="No file")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        files = list(
            new.get_model(LABEL, "PostAttachment").objects.values_list(
                "post_id", "file", "name", "size"
            )
        )
        assert files == [(with_file.pk, "teammoa/attachments/1/abc.pdf", "회의록.pdf", 42)]
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        back = executor.loader.project_state(before).apps.get_model(LABEL, "Post")
        restored = back.objects.get(pk=with_file.pk)
        assert (restored.attachment.name, restored.attachment_name, restored.attachment_size) == (
            "teammoa/attachments/1/abc.pdf",
            "회의록.pdf",
            42,
        )
        assert back.objects.get(title="No file").attachment.name == ""
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes(LABEL))
