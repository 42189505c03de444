"""The site's form renderer: every form, allauth's included, renders through one template."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest


class SiteFormRenderer(TemplatesSetting):
    """Each field with a visible label, its errors and help text beside it.

    Errors and help text carry the ids Django's ``aria-describedby`` points at; the
    form's own (non-field) errors sit in an alert box above the fields, with links to
    the fields that need attention. ``TemplatesSetting`` lets the site's template
    directories override any form or widget template.
    """

    form_template_name = "teammoa_site/forms/form.html"
    field_template_name = "teammoa_site/forms/field.html"

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if "form" in context and "fields" in context:
            # A form template: name the visible fields with errors for the summary box.
            invalid = [field for field, _errors in context["fields"] if field.errors]
            context = {**context, "invalid_fields": invalid}
        return super().render(template_name, context, request=request)
