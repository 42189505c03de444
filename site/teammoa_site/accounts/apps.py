from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "teammoa_site.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from teammoa.core.services import leave_all_teams
        from teammoa_site.accounts import usercache
        from teammoa_site.accounts.services import register_deactivation_hook

        # A deactivated user leaves every team first (host succession applies).
        register_deactivation_hook(leave_all_teams)
        # Every change to a user makes its cached copy (request.user) stale.
        user_model = get_user_model()
        for signal in (post_save, post_delete):
            signal.connect(
                usercache.forget_instance,
                sender=user_model,
                dispatch_uid=f"teammoa_usercache_{signal is post_save}",
            )
