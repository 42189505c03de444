"""Every length and count limit of core, in one place: the models (column sizes), the
services (the rules), the forms and templates (``maxlength`` hints) all read these.
"""

from __future__ import annotations

TEAM_TITLE_MAX = 64
TEAM_INTRO_MAX = 2000
MIN_MEMBERS = 2
MAX_MEMBERS = 100
DEFAULT_MAX_MEMBERS = 10
JOIN_PASSWORD_MIN = 4
JOIN_PASSWORD_MAX = 128

MILESTONE_TITLE_MAX = 100
MILESTONE_DESCRIPTION_MAX = 5000
TODO_CONTENT_MAX = 500
TASK_DESCRIPTION_MAX = 2000  # a todo's description

POST_TITLE_MAX = 100
POST_BODY_MAX = 100_000
ATTACHMENT_NAME_MAX = 255
ATTACHMENTS_PER_POST = 10
COMMENT_TEXT_MAX = 2000
SEARCH_MAX = 100
