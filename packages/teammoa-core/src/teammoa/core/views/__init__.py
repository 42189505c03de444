"""Server-rendered pages of the core app; each view is request → service → response.

Public surface for sibling apps' pages (documented in core's README):
``team_page`` (the team-page decorator: sign-in, membership, 404 for outsiders, 403 for
the wrong role, domain errors as HTTP) and ``domain_errors_as_http``.
"""

from teammoa.core.views.common import domain_errors_as_http, team_page

__all__ = ["domain_errors_as_http", "team_page"]
