"""The mindmap's field rules as pure functions: one place for the services and the protocol.

Each returns a dict of field errors (empty when the values are fine) or the cleaned value.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from teammoa.core.text import TextErrors, clean_text_into
from teammoa.mindmap.conf import conf
from teammoa.mindmap.models import (
    COMMENT_TEXT_MAX,
    MINDMAP_TITLE_MAX,
    NODE_CONTENT_MAX,
    NODE_TITLE_MAX,
)

Errors = TextErrors


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


# The character, blank and length rules are core's one text cleaner; here only which
# field has which limits.


def clean_node_title(errors: Errors, value: Any) -> str | None:
    return clean_text_into(errors, value, field="title", max_length=NODE_TITLE_MAX)


def clean_node_content(errors: Errors, value: Any) -> str | None:
    # Kept as typed (no stripping): indentation and blank lines are part of a note.
    return clean_text_into(
        errors,
        value,
        field="content",
        max_length=NODE_CONTENT_MAX,
        min_length=0,
        multiline=True,
        strip=False,
    )


def clean_mindmap_title(errors: Errors, value: Any) -> str | None:
    return clean_text_into(errors, value, field="title", max_length=MINDMAP_TITLE_MAX)


def clean_comment_text(errors: Errors, value: Any) -> str | None:
    return clean_text_into(errors, value, field="text", max_length=COMMENT_TEXT_MAX, multiline=True)
