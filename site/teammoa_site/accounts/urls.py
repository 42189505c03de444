from __future__ import annotations

from django.urls import path

from teammoa_site.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("deactivate/", views.DeactivateView.as_view(), name="deactivate"),
]
