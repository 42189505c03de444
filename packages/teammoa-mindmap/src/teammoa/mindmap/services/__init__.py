"""The rules of mindmaps, shared by the REST views and the WebSocket consumer.

Every function takes the acting user and plain values, checks permissions inside a
transaction and raises a ``teammoa.core.errors`` error when a rule says no.
"""

from teammoa.mindmap.services.changes import Change, publish_on_commit
from teammoa.mindmap.services.editing import CHANGE_TYPES, Editor, apply_batch, edit, edit_many
from teammoa.mindmap.services.mindmaps import (
    create_mindmap,
    current_state,
    current_version,
    delete_mindmap,
    get_mindmap,
    mindmaps_of,
    open_mindmap,
    open_mindmaps,
    rename_mindmap,
    shared_snapshot,
    snapshot,
)

__all__ = [
    "CHANGE_TYPES",
    "Change",
    "Editor",
    "apply_batch",
    "create_mindmap",
    "current_state",
    "current_version",
    "delete_mindmap",
    "edit",
    "edit_many",
    "get_mindmap",
    "mindmaps_of",
    "open_mindmap",
    "open_mindmaps",
    "publish_on_commit",
    "rename_mindmap",
    "shared_snapshot",
    "snapshot",
]
