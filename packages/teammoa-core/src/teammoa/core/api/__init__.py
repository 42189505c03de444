"""The core REST API (DRF): teams, members, milestones, todos and posts.

Public surface for sibling apps (documented in core's README): ``TeamScopedView`` (the
base of every team-scoped endpoint), ``exception_handler`` (domain errors → HTTP) and
``error_responses`` (their OpenAPI description), ``JSONParser``, ``load_json`` and
``JSONNestingError`` (JSON with bounded nesting) and ``TeamMoaMetadata`` (``OPTIONS``).
"""

from teammoa.core.api.base import CoreAPIView, TeamScopedView
from teammoa.core.api.exceptions import exception_handler
from teammoa.core.api.metadata import TeamMoaMetadata
from teammoa.core.api.parsers import JSONNestingError, JSONParser, load_json
from teammoa.core.api.schema import error_responses

__all__ = [
    "CoreAPIView",
    "JSONNestingError",
    "JSONParser",
    "TeamMoaMetadata",
    "TeamScopedView",
    "error_responses",
    "exception_handler",
    "load_json",
]
