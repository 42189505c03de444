"""Site pages that belong to no app: the landing page, and /favicon.ico."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "teammoa_site/home.html"


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, error pages
    nginx writes, a file opened in a tab): the site's icon, never a 404."""
    return HttpResponsePermanentRedirect(static("teammoa_core/favicon.svg"))
