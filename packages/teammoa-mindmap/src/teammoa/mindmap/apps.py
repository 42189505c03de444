from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamMoaMindmapConfig(AppConfig):
    name = "teammoa.mindmap"
    label = "teammoa_mindmap"
    verbose_name = _("TeamMoa mindmaps")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from teammoa.core.navigation import TeamTab, register_team_tab

        # Registers the checks, the signal receivers and the broadcast of committed changes.
        from teammoa.mindmap import broadcast, checks, receivers  # noqa: F401

        register_team_tab(
            TeamTab("mindmap", _("Mindmaps"), "teammoa_mindmap:mindmap_list", order=40)
        )
