from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamMoaScheduleConfig(AppConfig):
    name = "teammoa.schedule"
    label = "teammoa_schedule"
    verbose_name = _("TeamMoa schedule")
    default_auto_field = "django.db.models.BigAutoField"
