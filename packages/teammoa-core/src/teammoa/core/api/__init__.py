"""The core REST API (DRF): teams, members, milestones, todos and posts.

Public surface for sibling apps (documented in core's README): ``TeamScopedView`` (the
base of every team-scoped endpoint), ``exception_handler`` (domain errors → HTTP) and
``error_responses`` (their OpenAPI description).
"""

from teammoa.core.api.base import CoreAPIView, TeamScopedView
from teammoa.core.api.exceptions import exception_handler
from teammoa.core.api.schema import error_responses

__all__ = ["CoreAPIView", "TeamScopedView", "error_responses", "exception_handler"]
