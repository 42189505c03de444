"""The site's URLs: pages, accounts, the API and the TeamMoa apps."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import View
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from teammoa_site import views

# The admin's own login form knows nothing of allauth's failed-login limits: send it to the
# site's login (as allauth's docs advise), which applies them and e-mail confirmation.
admin.site.login = secure_admin_login(admin.site.login)


class APIDocsView(SpectacularSwaggerView):
    """The Swagger UI page; ``OPTIONS`` is answered as any Django view answers it (DRF's
    metadata response has no template for this HTML-only view: it was a 500)."""

    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return View.options(self, request, *args, **kwargs)


urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/", include("teammoa_site.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", APIDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("teammoa.core.api.urls")),
    path("api/v1/", include("teammoa.mindmap.api.urls")),
    path("api/v1/", include("teammoa.schedule.api.urls")),
    path("", include("teammoa.core.urls")),
    path("", include("teammoa.schedule.urls")),
    path("", include("teammoa.mindmap.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
