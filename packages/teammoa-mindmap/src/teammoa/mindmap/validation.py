"""The mindmap's field rules as pure functions: one place for the services and the protocol.

Each returns a dict of field errors (empty when the values are fine) or the cleaned value.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from teammoa.mindmap.conf import conf
from teammoa.mindmap.models import (
    COMMENT_TEXT_MAX,
    MINDMAP_TITLE_MAX,
    NODE_CONTENT_MAX,
    NODE_TITLE_MAX,
)

Errors = dict[str, list[str]]


def position_errors(x: Any, y: Any) -> Errors:
    """``x``/``y`` must be integers on the canvas (0…width x 0…height)."""
    errors: Errors = {}
    for name, value, limit in (("x", x, conf.CANVAS_WIDTH), ("y", y, conf.CANVAS_HEIGHT)):
        if not is_int(value):
            errors[name] = [_("An integer is required.")]
        elif not 0 <= value <= limit:
            errors[name] = [_("Must be from 0 to %(limit)d (the canvas).") % {"limit": limit}]
    return errors


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_text(
    errors: Errors, name: str, value: Any, *, maximum: int, required: bool = True
) -> str | None:
    """A string of 1…maximum characters (0… when not ``required``), stripped of blanks
    at both ends; records an error under ``name`` and returns None otherwise."""
    if not isinstance(value, str):
        errors[name] = [_("A string is required.")]
        return None
    value = value.strip() if required else value
    if required and not value:
        errors[name] = [_("This field may not be blank.")]
        return None
    if len(value) > maximum:
        errors[name] = [
            _("Ensure this field has no more than %(max)d characters.") % {"max": maximum}
        ]
        return None
    return value


def clean_node_title(errors: Errors, value: Any) -> str | None:
    return clean_text(errors, "title", value, maximum=NODE_TITLE_MAX)


def clean_node_content(errors: Errors, value: Any) -> str | None:
    return clean_text(errors, "content", value, maximum=NODE_CONTENT_MAX, required=False)


def clean_mindmap_title(errors: Errors, value: Any) -> str | None:
    return clean_text(errors, "title", value, maximum=MINDMAP_TITLE_MAX)


def clean_comment_text(errors: Errors, value: Any) -> str | None:
    return clean_text(errors, "text", value, maximum=COMMENT_TEXT_MAX)
