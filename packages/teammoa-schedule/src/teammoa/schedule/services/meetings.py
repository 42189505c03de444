"""Meetings: a time the team agreed on (from a best slot or any other), moved, cancelled,
downloaded as .ics; and each member's private calendar feed of meetings and milestones."""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from teammoa.core.errors import Conflict, Invalid, NotFound, shown_value
from teammoa.core.events import publish_team_event
from teammoa.core.models import Membership, Team
from teammoa.core.services import membership_of, milestones_of
from teammoa.core.text import clean_text_into
from teammoa.core.users import Actor
from teammoa.schedule import clock, ical
from teammoa.schedule.models import (
    MEETING_LINK_MAX,
    MEETING_NOTES_MAX,
    MEETING_PLACE_MAX,
    MEETING_TITLE_MAX,
    CalendarFeed,
    Meeting,
)
from teammoa.schedule.params import ascii_number, parse_bool
from teammoa.schedule.services.calendar import CalendarFile
from teammoa.schedule.services.weeks import lock_member
from teammoa.schedule.weeks import parse_date, parse_week

_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")
# A cancelled meeting stays in the feed this long, so subscribed calendars drop it.
CANCELLED_IN_FEED = datetime.timedelta(days=30)
FIELDS = ("title", "date", "start", "end", "place", "link", "notes")


def parse_time(value: Any, field: str, *, allow_midnight_end: bool = False) -> datetime.time | None:
    """``"HH:MM"`` (or a whole hour as an int or digits); ``"24:00"`` only for an end,
    returned as None (midnight at the end of the day)."""
    hour: int | None = None
    minute = 0
    if type(value) is int:
        hour = value
    elif isinstance(value, str):
        match = _TIME.fullmatch(value)
        if match:
            hour, minute = int(match[1]), int(match[2])
        else:
            hour = ascii_number(value)
    top = 24 if allow_midnight_end else 23
    if hour is None or not 0 <= hour <= top or minute > 59 or (hour == 24 and minute):
        raise Invalid.field(
            field,
            _("“%(value)s” is not a time: write it as 19:30 (00:00 to %(last)s).")
            % {"value": shown_value(value), "last": "24:00" if allow_midnight_end else "23:59"},
        )
    return None if hour == 24 else datetime.time(hour, minute)


def _local(
    day: datetime.date, time: datetime.time | None, zone: datetime.tzinfo
) -> datetime.datetime:
    if time is None:  # 24:00
        return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), zone)
    return datetime.datetime.combine(day, time, zone)


def _clean_link(value: Any, errors: dict[str, list[str]]) -> str | None:
    link = clean_text_into(errors, value, field="link", max_length=MEETING_LINK_MAX, min_length=0)
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["link"] = [_("Enter a web address starting with https:// or http://.")]
            return None
    return link


def _clean(data: dict[str, Any], team: Team, current: Meeting | None) -> dict[str, Any]:
    """The model fields to write; every field's problem reported at once."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise Invalid({name: [_("Unknown field.")] for name in unknown[:10]})
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if current is None or "title" in data:
        fields["title"] = clean_text_into(
            errors, data.get("title"), field="title", max_length=MEETING_TITLE_MAX
        )
    if current is None or "place" in data:
        fields["place"] = clean_text_into(
            errors, data.get("place", ""), field="place", max_length=MEETING_PLACE_MAX, min_length=0
        )
    if current is None or "link" in data:
        fields["link"] = _clean_link(data.get("link", ""), errors)
    if current is None or "notes" in data:
        fields["notes"] = clean_text_into(
            errors,
            data.get("notes", ""),
            field="notes",
            max_length=MEETING_NOTES_MAX,
            min_length=0,
            multiline=True,
        )
    if current is None or {"date", "start", "end"} & set(data):
        zone = team.zone
        was = (
            (
                timezone.localtime(current.starts_at, zone),
                timezone.localtime(current.ends_at, zone),
            )
            if current
            else None
        )
        day = start = end = None
        try:
            day = parse_date(data["date"], "date") if "date" in data or not was else was[0].date()
        except Invalid as error:
            errors.update(error.errors)
        try:
            start = (
                parse_time(data.get("start"), "start")
                if "start" in data or not was
                else was[0].time()
            )
        except Invalid as error:
            errors.update(error.errors)
        try:
            if "end" in data or not was:
                end = parse_time(data.get("end"), "end", allow_midnight_end=True)
            else:
                end = None if was[1].date() > was[0].date() else was[1].time()
        except Invalid as error:
            errors.update(error.errors)
        if day is not None and start is not None and "end" not in errors and "start" not in errors:
            starts_at, ends_at = _local(day, start, zone), _local(day, end, zone)
            moved = current is None or (starts_at, ends_at) != (current.starts_at, current.ends_at)
            if ends_at <= starts_at:
                errors["end"] = [_("The end must be after the start.")]
            elif moved and ends_at <= clock.now():
                # A meeting nobody can go to any more (one under way may still be noted).
                errors["start"] = [_("This time is over. Pick one that has not ended yet.")]
            else:
                fields["starts_at"], fields["ends_at"] = starts_at, ends_at
    if errors:
        raise Invalid(errors)
    return fields


def _publish(meeting: Meeting, kind: str, by: Membership) -> None:
    """Tell the team's open pages after the commit (core's team socket)."""
    publish_team_event(meeting.team_id, kind, by=by.user_id, meeting=meeting.pk)


def meetings_of(
    user: Actor,
    team_id: Any,
    *,
    week: Any = None,
    upcoming: Any = None,
    cancelled: Any = None,
) -> QuerySet[Meeting]:
    """The team's meetings, earliest first: those of ``week`` (ISO), or those not over yet
    (``upcoming``); cancelled ones only with ``cancelled``."""
    membership = membership_of(user, team_id)
    errors: dict[str, list[str]] = {}
    flags = {}
    for name, value in (("upcoming", upcoming), ("cancelled", cancelled)):
        try:
            flags[name] = parse_bool(value, name)
        except Invalid as error:
            errors.update(error.errors)
    iso_week = None
    if week is not None:
        try:
            iso_week = parse_week(week)
        except Invalid as error:
            errors.update(error.errors)
    if errors:
        raise Invalid(errors)
    meetings = Meeting.objects.filter(team_id=membership.team_id)
    if iso_week is not None:
        zone = membership.team.zone
        first = datetime.datetime.combine(iso_week.monday, datetime.time(), zone)
        meetings = meetings.filter(
            starts_at__lt=first + datetime.timedelta(days=7), ends_at__gt=first
        )
    if flags["upcoming"]:
        meetings = meetings.filter(ends_at__gt=timezone.now())
    if not flags["cancelled"]:
        meetings = meetings.filter(cancelled_at__isnull=True)
    return meetings.select_related("team").order_by("starts_at", "id")


# Ids are BIGINT: a larger number is no row (and SQLite would overflow on it).
MAX_ID = 2**63 - 1


def _meeting_id(value: Any) -> int:
    number = value if type(value) is int else ascii_number(str(value))
    if number is None or not 0 < number <= MAX_ID:
        raise NotFound(_("Meeting not found."))
    return number


def get_meeting(user: Actor, team_id: Any, meeting_id: Any) -> Meeting:
    membership = membership_of(user, team_id)
    try:
        return Meeting.objects.select_related("team").get(
            team_id=membership.team_id, pk=_meeting_id(meeting_id)
        )
    except Meeting.DoesNotExist:
        raise NotFound(_("Meeting not found.")) from None


def create_meeting(user: Actor, team_id: Any, **data: Any) -> Meeting:
    """Any member confirms a time as the team's meeting."""
    membership = membership_of(user, team_id)
    team = membership.team
    fields = _clean(data, team, None)
    with transaction.atomic():
        lock_member(membership)
        meeting = Meeting.objects.create(
            team=team, created_by=membership, updated_by=membership, **fields
        )
        _publish(meeting, "meeting.created", membership)
    return meeting


def _locked_meeting(membership: Membership, meeting_id: Any) -> Meeting:
    """The team's meeting, locked for this transaction (after the member's own lock)."""
    lock_member(membership)
    try:
        meeting = Meeting.objects.select_for_update().get(
            team_id=membership.team_id, pk=_meeting_id(meeting_id)
        )
    except Meeting.DoesNotExist:
        raise NotFound(_("Meeting not found.")) from None
    meeting.team = membership.team
    return meeting


def update_meeting(user: Actor, team_id: Any, meeting_id: Any, **data: Any) -> Meeting:
    """Any member moves a meeting or edits its details (not once it is cancelled)."""
    membership = membership_of(user, team_id)
    with transaction.atomic():
        meeting = _locked_meeting(membership, meeting_id)
        if meeting.cancelled:
            raise Conflict(_("This meeting was cancelled; plan a new one instead."))
        fields = _clean(data, membership.team, meeting)
        changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
        if changed:
            for name in changed:
                setattr(meeting, name, fields[name])
            meeting.sequence += 1
            meeting.updated_by = membership
            meeting.save()
            _publish(meeting, "meeting.changed", membership)
    return meeting


def cancel_meeting(user: Actor, team_id: Any, meeting_id: Any) -> Meeting:
    """Any member cancels a meeting; it leaves the pages and is marked cancelled in feeds."""
    membership = membership_of(user, team_id)
    with transaction.atomic():
        meeting = _locked_meeting(membership, meeting_id)
        if meeting.cancelled:
            raise Conflict(_("This meeting is already cancelled."))
        meeting.cancelled_at = timezone.now()
        meeting.sequence += 1
        meeting.updated_by = membership
        meeting.save()
        _publish(meeting, "meeting.cancelled", membership)
    return meeting


# --- calendars -----------------------------------------------------------------------------


def meeting_uid(meeting: Meeting, domain: str) -> str:
    return f"teammoa-meeting-{meeting.pk}@{domain}"


def _meeting_event(meeting: Meeting, domain: str, url: str = "") -> ical.CalendarEvent:
    lines = [meeting.notes] if meeting.notes else []
    if meeting.link:
        lines.append(meeting.link)
    return ical.CalendarEvent(
        uid=meeting_uid(meeting, domain),
        summary=meeting.title,
        start=meeting.starts_at,
        end=meeting.ends_at,
        location=meeting.place or meeting.link,
        description="\n\n".join(lines),
        url=meeting.link or url,
        sequence=meeting.sequence,
        status="CANCELLED" if meeting.cancelled else "CONFIRMED",
        updated=meeting.updated_at,
    )


def meeting_ics(user: Actor, team_id: Any, meeting_id: Any, uid_domain: str) -> CalendarFile:
    meeting = get_meeting(user, team_id, meeting_id)
    team = meeting.team
    content = ical.events_calendar(
        [_meeting_event(meeting, uid_domain)],
        zone=team.zone,
        name=team.title,
    )
    local = timezone.localtime(meeting.starts_at, team.zone)
    return CalendarFile(f"teammoa-meeting-{meeting.pk}-{local:%Y-%m-%d}.ics", content)


def _feed_of(user: Actor, team_id: Any) -> tuple[Membership, CalendarFeed | None]:
    membership = membership_of(user, team_id)
    feed = CalendarFeed.objects.filter(membership=membership).first()
    return membership, feed


def my_feed(user: Actor, team_id: Any) -> CalendarFeed | None:
    """The member's calendar feed in this team, if they turned it on."""
    return _feed_of(user, team_id)[1]


def renew_feed(user: Actor, team_id: Any) -> CalendarFeed:
    """Turn the member's feed on, or give it a new secret: the old address stops working."""
    membership = membership_of(user, team_id)
    with transaction.atomic():
        lock_member(membership)
        feed, _created = CalendarFeed.objects.update_or_create(
            membership=membership,
            defaults={"token": secrets.token_urlsafe(32), "created_at": timezone.now()},
        )
    return feed


def revoke_feed(user: Actor, team_id: Any) -> None:
    """Turn the member's feed off; its address answers 404 from now on."""
    membership = membership_of(user, team_id)
    CalendarFeed.objects.filter(membership=membership).delete()


def feed_calendar(team_id: Any, token: Any, uid_domain: str, *, url: str = "") -> CalendarFile:
    """The calendar behind a feed address: the team's meetings (cancelled ones of the last
    30 days marked so) and milestones (all-day, start to end), in the team's timezone.
    An unknown, revoked or other team's token is ``NotFound``."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64 or not 0 < int(team_id) <= MAX_ID:
        raise NotFound(_("Calendar not found."))
    try:
        feed = CalendarFeed.objects.select_related("membership__team", "membership__user").get(
            token=token, membership__team_id=int(team_id)
        )
    except (CalendarFeed.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Calendar not found.")) from None
    # Compared again in constant time: the database's comparison may ignore case or
    # trailing spaces, depending on its collation.
    if not secrets.compare_digest(feed.token.encode(), token.encode()):
        raise NotFound(_("Calendar not found."))
    membership = feed.membership
    team = membership.team
    since = timezone.now() - CANCELLED_IN_FEED
    meetings = Meeting.objects.filter(team=team).exclude(cancelled_at__lt=since)
    events = [_meeting_event(meeting, uid_domain, url) for meeting in meetings]
    for milestone in milestones_of(membership.user, team.pk).order_by("start_date", "id"):
        events.append(
            ical.CalendarEvent(
                uid=f"teammoa-milestone-{milestone.pk}@{uid_domain}",
                summary=_("Milestone: %(title)s") % {"title": milestone.title},
                start=milestone.start_date,
                end=milestone.end_date + datetime.timedelta(days=1),
                description=milestone.description,
                url=url,
                updated=milestone.updated_at,
            )
        )
    content = ical.events_calendar(
        events, zone=team.zone, name=_("%(team)s (TeamMoa)") % {"team": team.title}, feed=True
    )
    return CalendarFile(f"teammoa-{team.pk}.ics", content)
