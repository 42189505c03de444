"""Page URLs of the mindmap app; include with ``path("", include("teammoa.mindmap.urls"))``."""

from __future__ import annotations

from django.urls import path

from teammoa.mindmap import views

app_name = "teammoa_mindmap"

MAPS = "teams/<int:team>/mindmaps/"

urlpatterns = [
    path(MAPS, views.mindmap_list, name="mindmap_list"),
    path(f"{MAPS}import/", views.mindmap_import, name="mindmap_import"),
    path(f"{MAPS}<int:mindmap>/", views.mindmap_editor, name="mindmap_editor"),
    path(f"{MAPS}<int:mindmap>/delete/", views.mindmap_delete, name="mindmap_delete"),
    path(f"{MAPS}<int:mindmap>/export.<str:fmt>", views.mindmap_export, name="mindmap_export"),
]
