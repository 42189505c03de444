from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamMoaMindmapConfig(AppConfig):
    name = "teammoa.mindmap"
    label = "teammoa_mindmap"
    verbose_name = _("TeamMoa mindmaps")
    default_auto_field = "django.db.models.BigAutoField"
