from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamMoaScheduleConfig(AppConfig):
    name = "teammoa.schedule"
    label = "teammoa_schedule"
    verbose_name = _("TeamMoa schedule")
    # Set explicitly so a host project's DEFAULT_AUTO_FIELD never makes migrations
    # inside site-packages.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from teammoa.core.navigation import (
            TeamHomePanel,
            TeamTab,
            register_team_home_panel,
            register_team_tab,
        )
        from teammoa.schedule import checks  # noqa: F401  (registers the system checks)
        from teammoa.schedule.panels import meetings_panel

        register_team_tab(
            TeamTab(
                key="schedule",
                label=_("Schedule"),
                url_name="teammoa_schedule:schedule",
                order=30,
            )
        )
        register_team_home_panel(
            TeamHomePanel(
                key="meetings",
                template_name="teammoa_schedule/home_panel.html",
                context=meetings_panel,
                order=10,
                events=("meeting.",),
            )
        )
