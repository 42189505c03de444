from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("teammoa.mindmap.api.urls")),
    path("", include("teammoa.core.urls")),
    path("", include("teammoa.mindmap.urls")),
]
