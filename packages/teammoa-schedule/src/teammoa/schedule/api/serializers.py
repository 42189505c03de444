"""JSON shapes of the schedule API (SPEC section 5).

The ``*_payload`` functions turn service results into the documented JSON; the DRF
serializers describe the same shapes for the OpenAPI schema. Input is validated by the
services, which are stricter than DRF fields (``"9"``, ``9.5`` and ``true`` are not hours).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from teammoa.schedule.availability import DaySummary
from teammoa.schedule.hours import HOURS_PER_DAY
from teammoa.schedule.services import CalendarImport, TeamAvailability, UsualWeek, WeekSchedule
from teammoa.schedule.slots import Slot


def week_payload(schedule: WeekSchedule) -> dict[str, Any]:
    return {
        "week": str(schedule.week),
        "days": [
            {
                "date": day.date.isoformat(),
                "available": list(day.hours.available),
                "if_needed": list(day.hours.if_needed),
                "from_usual": day.from_usual,
            }
            for day in schedule.days
        ],
    }


def import_payload(result: CalendarImport) -> dict[str, Any]:
    """My week after the import (as ``GET me/``), whether it was only a preview, and the
    hours the import changed on each day."""
    return {
        **week_payload(result.week),
        "preview": result.preview,
        "changes": [
            {
                "date": change.date.isoformat(),
                "busy": list(change.busy),
                "if_needed": list(change.if_needed),
            }
            for change in result.changes
        ],
    }


def usual_payload(usual: UsualWeek) -> dict[str, Any]:
    return {
        "days": [
            {
                "weekday": index,
                "available": list(hours.available),
                "if_needed": list(hours.if_needed),
            }
            for index, hours in enumerate(usual.days, start=1)
        ]
    }


def _day_payload(day: DaySummary) -> dict[str, Any]:
    return {
        "date": day.date.isoformat(),
        "free": day.free,
        "if_needed": day.if_needed,
        "who": {
            str(hour): {"free": list(who.free), "if_needed": list(who.if_needed)}
            for hour, who in enumerate(day.who)
        },
    }


def slot_payload(slot: Slot) -> dict[str, Any]:
    return {
        "date": slot.date.isoformat(),
        "start": slot.start,
        "end": slot.end,
        "free": list(slot.free),
        "if_needed": list(slot.if_needed),
    }


def availability_payload(result: TeamAvailability) -> dict[str, Any]:
    return {
        "week": str(result.week),
        "member_count": result.member_count,
        "members": [{"id": member.id, "name": member.name} for member in result.members],
        "min": result.search.min_members,
        "length": result.length,
        "required": list(result.required),
        "days": [_day_payload(day) for day in result.days],
        "best_slots": [slot_payload(slot) for slot in result.search.slots],
    }


# --- OpenAPI descriptions ------------------------------------------------------------------


class MyDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    available = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=23))
    if_needed = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=23))
    from_usual = serializers.BooleanField(read_only=True)


class MyWeekSerializer(serializers.Serializer):
    week = serializers.RegexField(r"^\d{4}-W\d{2}$", help_text="ISO week, e.g. 2026-W48")
    days = MyDaySerializer(many=True)


class UsualDaySerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=1, max_value=7, help_text="1 = Monday")
    available = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=23))
    if_needed = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=23))


class UsualWeekSerializer(serializers.Serializer):
    days = UsualDaySerializer(many=True)


class HourWhoSerializer(serializers.Serializer):
    free = serializers.ListField(child=serializers.IntegerField())
    if_needed = serializers.ListField(child=serializers.IntegerField())


class TeamDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    free = serializers.ListField(
        child=serializers.IntegerField(), min_length=HOURS_PER_DAY, max_length=HOURS_PER_DAY
    )
    if_needed = serializers.ListField(
        child=serializers.IntegerField(), min_length=HOURS_PER_DAY, max_length=HOURS_PER_DAY
    )
    who = serializers.DictField(child=HourWhoSerializer(), help_text='keys are hours "0"…"23"')


class SlotSerializer(serializers.Serializer):
    date = serializers.DateField()
    start = serializers.IntegerField()
    end = serializers.IntegerField(help_text="exclusive")
    free = serializers.ListField(child=serializers.IntegerField())
    if_needed = serializers.ListField(child=serializers.IntegerField())


class MemberNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AvailabilitySerializer(serializers.Serializer):
    week = serializers.CharField()
    member_count = serializers.IntegerField()
    members = MemberNameSerializer(many=True)
    min = serializers.IntegerField(help_text="the threshold used")
    length = serializers.IntegerField()
    required = serializers.ListField(child=serializers.IntegerField())
    days = TeamDaySerializer(many=True)
    best_slots = SlotSerializer(many=True)


class CalendarImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="an iCalendar (.ics) file")


class DayChangeSerializer(serializers.Serializer):
    date = serializers.DateField()
    busy = serializers.ListField(
        child=serializers.IntegerField(), help_text="hours the import made busy"
    )
    if_needed = serializers.ListField(
        child=serializers.IntegerField(), help_text='hours the import turned to "if needed"'
    )


class CalendarImportResultSerializer(MyWeekSerializer):
    preview = serializers.BooleanField(help_text="true: nothing was saved")
    changes = DayChangeSerializer(many=True, help_text="days the import changed")
