from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "teammoa_site.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from teammoa.core.services import leave_all_teams
        from teammoa_site.accounts.services import register_deactivation_hook

        # A deactivated user leaves every team first (host succession applies).
        register_deactivation_hook(leave_all_teams)
