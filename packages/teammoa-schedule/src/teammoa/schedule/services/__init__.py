"""The schedule's rules. Every function takes the acting user and plain values, checks
membership (``NotFound`` for non-members) and raises a ``teammoa.core.errors`` error when
a rule says no; views only translate requests and answers."""

from teammoa.schedule.services.calendar import (
    CalendarFile,
    CalendarImport,
    DayChange,
    import_ics,
    slot_ics,
)
from teammoa.schedule.services.display import (
    ShownHours,
    save_schedule_settings,
    schedule_settings,
    shown_hours,
)
from teammoa.schedule.services.meetings import (
    cancel_meeting,
    create_meeting,
    feed_calendar,
    get_meeting,
    meeting_ics,
    meetings_of,
    my_feed,
    renew_feed,
    revoke_feed,
    update_meeting,
)
from teammoa.schedule.services.team import (
    Member,
    TeamAvailability,
    load_team_week,
    team_availability,
)
from teammoa.schedule.services.weeks import (
    ScheduleDay,
    UsualWeek,
    WeekSchedule,
    my_usual_week,
    my_week,
    save_my_usual_week,
    save_my_week,
    week_of_member,
)

__all__ = [
    "CalendarFile",
    "CalendarImport",
    "DayChange",
    "Member",
    "ScheduleDay",
    "ShownHours",
    "TeamAvailability",
    "UsualWeek",
    "WeekSchedule",
    "cancel_meeting",
    "create_meeting",
    "feed_calendar",
    "get_meeting",
    "import_ics",
    "load_team_week",
    "meeting_ics",
    "meetings_of",
    "my_feed",
    "my_usual_week",
    "my_week",
    "renew_feed",
    "revoke_feed",
    "save_my_usual_week",
    "save_my_week",
    "save_schedule_settings",
    "schedule_settings",
    "shown_hours",
    "slot_ics",
    "team_availability",
    "update_meeting",
    "week_of_member",
]
