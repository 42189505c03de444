from django.urls import include, path

urlpatterns = [path("", include("teammoa.core.urls"))]
