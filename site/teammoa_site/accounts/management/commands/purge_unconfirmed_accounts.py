"""Delete accounts that never confirmed their e-mail address within N days."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from teammoa_site.accounts.services import purge_unconfirmed_accounts, unconfirmed_accounts


class Command(BaseCommand):
    help = (
        "Delete accounts older than --days that never confirmed an e-mail address. "
        "Deactivated, disabled, staff and social-login accounts are never deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Age in days (default: TEAMMOA_UNCONFIRMED_ACCOUNT_DAYS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args: Any, days: int | None, dry_run: bool, **options: Any) -> None:
        if days is None:
            days = settings.TEAMMOA_UNCONFIRMED_ACCOUNT_DAYS
        if days < 1:
            raise CommandError(f"--days must be at least 1, not {days}.")
        if dry_run:
            names = list(unconfirmed_accounts(days).values_list("username", flat=True))
            for name in names:
                self.stdout.write(name)
            self.stdout.write(f"{len(names)} unconfirmed account(s) older than {days} day(s).")
            return
        count = purge_unconfirmed_accounts(days)
        self.stdout.write(
            self.style.SUCCESS(f"Deleted {count} unconfirmed account(s) older than {days} day(s).")
        )
