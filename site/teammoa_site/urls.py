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
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from teammoa_site import views

# The admin's own login form knows nothing of allauth's failed-login limits: send it to the
# site's login (as allauth's docs advise), which applies them and e-mail confirmation.
admin.site.login = secure_admin_login(admin.site.login)


class APIDocsView(SpectacularSwaggerSplitView):
    """The Swagger UI page, from the site's static files (drf-spectacular-sidecar) with its
    start-up script at ``?script`` instead of inline: no other origin, no inline code, so
    the site's Content Security Policy holds here too. ``OPTIONS`` is answered as any
    Django view answers it (DRF's metadata response has no template for this HTML-only
    view: it was a 500)."""

    template_name = "teammoa_site/api_docs.html"

    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return View.options(self, request, *args, **kwargs)


urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
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
handler500 = "teammoa_site.unavailable.server_error"
