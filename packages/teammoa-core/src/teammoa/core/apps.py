from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamMoaCoreConfig(AppConfig):
    name = "teammoa.core"
    label = "teammoa_core"
    verbose_name = _("TeamMoa teams")
    # Set explicitly so a host project's DEFAULT_AUTO_FIELD never makes migrations
    # inside site-packages.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from teammoa.core import checks, receivers  # noqa: F401  (registers checks and receivers)
        from teammoa.core.navigation import TeamTab, register_team_tab
        from teammoa.core.websocket import receivers as socket_receivers  # noqa: F401

        # Gaps in the order leave room for the other apps' tabs (schedule, mindmap).
        register_team_tab(TeamTab("home", _("Home"), "teammoa_core:team_home", order=10))
        register_team_tab(TeamTab("todos", _("Todos"), "teammoa_core:todo_board", order=40))
        register_team_tab(TeamTab("board", _("Board"), "teammoa_core:post_list", order=50))
