from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("teammoa.core.api.urls")),
    path("", include("teammoa.core.urls")),
]
