"""Template helpers of the core app: ``{% load teammoa_core %}``.

Other TeamMoa apps' team pages use ``{% team_nav team "key" %}`` (or extend
``teammoa_core/team_base.html``) so every team page shows the same tabs.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from teammoa.core import limits
from teammoa.core.dates import clock_label, date_text, datetime_text
from teammoa.core.models import Membership, display_name
from teammoa.core.navigation import team_tabs
from teammoa.core.sanitize import sanitize_html
from teammoa.core.sizes import file_size_text

register = template.Library()


@register.inclusion_tag("teammoa_core/includes/team_nav.html")
def team_nav(team: Any, current: str | None = None) -> dict[str, Any]:
    """The team's title and the tabs every installed TeamMoa app registered."""
    return {"team": team, "tabs": team_tabs(team.pk, current)}


@register.simple_tag
def limit(name: str) -> int:
    """A limit of ``teammoa.core.limits`` (for ``maxlength`` hints), by name."""
    return int(getattr(limits, name))


@register.filter
def sanitized(html: str | None) -> SafeString:
    """Post bodies are sanitised on save; sanitising again on output keeps rows written
    some other way (the admin, a data migration) from reaching the page unchecked."""
    return mark_safe(sanitize_html(html or ""))  # noqa: S308 - the output of nh3


@register.filter
def member_name(membership: Membership | None) -> str:
    """A membership's display name, or "deleted user" once the member has left."""
    return display_name(membership.user if membership is not None else None)


@register.filter
def invalid_fields(form: Any) -> list[Any]:
    """The visible fields of a form that carry errors, for the summary above the form."""
    return [field for field in form.visible_fields() if field.errors]


@register.filter
def clock(hour: Any, minute: Any = 0) -> str:
    """``{{ 15|clock }}``: "15:00", or "오후 3시" on a Korean page (``dates.clock_label``)."""
    try:
        return clock_label(int(hour), int(minute))
    except (TypeError, ValueError):
        return ""


@register.filter(expects_localtime=True)
def shown_datetime(value: Any) -> str:
    """``{{ post.created_at|shown_datetime }}``: the one format of a moment on a page."""
    return datetime_text(value) if value else ""


@register.filter(expects_localtime=True)
def shown_date(value: Any) -> str:
    """``{{ todo.due_date|shown_date }}``: the one format of a day on a page."""
    return date_text(value) if value else ""


@register.filter
def file_size(size: Any) -> str:
    """``{{ file.size|file_size }}``: "17 B", "50.3 KB" in every language (``sizes``)."""
    try:
        return file_size_text(int(size))
    except (TypeError, ValueError):
        return ""
