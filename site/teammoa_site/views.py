"""Site pages that belong to no app: the landing page."""

from __future__ import annotations

from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "teammoa_site/home.html"
