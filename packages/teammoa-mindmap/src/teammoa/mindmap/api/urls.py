"""API routes, mounted by the site under ``/api/v1/``."""

from __future__ import annotations

from django.urls import path

from teammoa.mindmap.api import views

app_name = "teammoa_mindmap_api"

MAPS = "teams/<int:team>/mindmaps/"
MAP = f"{MAPS}<int:id>/"

urlpatterns = [
    path(MAPS, views.MindmapListView.as_view(), name="mindmap-list"),
    path(f"{MAPS}import/", views.ImportView.as_view(), name="mindmap-import"),
    path(MAP, views.MindmapDetailView.as_view(), name="mindmap-detail"),
    path(f"{MAP}nodes/", views.NodeListView.as_view(), name="node-list"),
    path(f"{MAP}nodes/<int:node>/", views.NodeDetailView.as_view(), name="node-detail"),
    path(f"{MAP}nodes/<int:node>/comments/", views.CommentListView.as_view(), name="comment-list"),
    path(f"{MAP}nodes/<int:node>/recommend/", views.RecommendView.as_view(), name="node-recommend"),
    path(f"{MAP}connections/", views.ConnectionListView.as_view(), name="connection-list"),
    path(
        f"{MAP}connections/<int:connection>/",
        views.ConnectionDetailView.as_view(),
        name="connection-detail",
    ),
    path(f"{MAP}export/", views.ExportView.as_view(), name="mindmap-export"),
]
