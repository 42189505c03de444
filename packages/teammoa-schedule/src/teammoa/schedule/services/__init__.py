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
    "TeamAvailability",
    "UsualWeek",
    "WeekSchedule",
    "import_ics",
    "load_team_week",
    "my_usual_week",
    "my_week",
    "save_my_usual_week",
    "save_my_week",
    "slot_ics",
    "team_availability",
    "week_of_member",
]
