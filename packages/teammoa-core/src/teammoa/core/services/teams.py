"""Team rules: creation, joining (race-safe), leaving with host succession, host powers."""

from __future__ import annotations

import contextvars
import datetime
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from teammoa.core.conf import conf
from teammoa.core.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from teammoa.core.events import publish_team_event
from teammoa.core.limits import JOIN_PASSWORD_MAX, JOIN_PASSWORD_MIN
from teammoa.core.models import (
    MAX_MEMBERS,
    MIN_MEMBERS,
    TEAM_INTRO_MAX,
    TEAM_TITLE_MAX,
    Membership,
    Role,
    Team,
    is_plain_invite_code,
    new_invite_code,
)
from teammoa.core.queries import correlated_count
from teammoa.core.ratelimit import FixedWindowLimiter
from teammoa.core.signals import membership_ended
from teammoa.core.text import clean_text_into
from teammoa.core.users import Actor, actor_id


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _user_id(user: Actor) -> int:
    user_id = actor_id(user)
    if user_id is None:
        raise NotFound()
    return user_id


# --- lookups -------------------------------------------------------------------------------


def teams_of(user: Actor) -> QuerySet[Team]:
    """The user's teams with ``member_count`` and ``my_role`` annotated (one query).

    The user's own membership is joined (one row per team: (team, user) is unique), so
    ``my_role`` is that row's role, and ``member_count`` is a correlated ``COUNT(*)``: no
    ``GROUP BY``, ``EXISTS`` or ``Subquery`` to build and compile on every request (those
    took 1.9 ms of CPU for a user's single team, this takes 0.8; docs/benchmarks.md).
    """
    user_id = actor_id(user)
    if user_id is None:  # anonymous: no team (an IS NULL filter would outer-join instead)
        return Team.objects.none()
    return (
        Team.objects.filter(memberships__user_id=user_id)
        # After the filter, the annotation reuses the filter's join: the user's own row.
        .annotate(
            my_role=F("memberships__role"),
            member_count=correlated_count(Team, Membership, "team_id"),
        )
        .order_by("-created_at", "-id")
    )


# (user id, team id) -> membership, while a read-only request runs (``memberships_reused``).
_reused: contextvars.ContextVar[dict[tuple[int, int], Membership | None] | None] = (
    contextvars.ContextVar("teammoa_reused_memberships", default=None)
)


@contextmanager
def memberships_reused() -> Iterator[None]:
    """Inside: each (user, team) membership is read once and the answer reused.

    For read-only requests (GET, HEAD): the view's access check and the service it calls
    both ask ``membership_of``, and nothing in between can change the answer. Requests
    that write never use it: their services re-read memberships under the team's lock.
    """
    token = _reused.set({})
    try:
        yield
    finally:
        _reused.reset(token)


def prefetch_memberships(pairs: list[tuple[Actor, Any]]) -> None:
    """Inside :func:`memberships_reused`: read the memberships of these (user, team) pairs
    in one query, so that ``membership_of`` answers each of them without one (a burst of
    sockets checks hundreds at once). Pairs that are not valid ids are left to
    ``membership_of``'s own answer."""
    reused = _reused.get()
    if reused is None:
        return
    wanted: set[tuple[int, int]] = set()
    for user, team_id in pairs:
        try:
            wanted.add((_user_id(user), int(team_id)))
        except (NotFound, TypeError, ValueError):
            continue
    wanted -= reused.keys()
    if not wanted:
        return
    found = Membership.objects.select_related("team").filter(
        team_id__in={team for _user, team in wanted}, user_id__in={user for user, _team in wanted}
    )
    for key in wanted:
        reused[key] = None
    for membership in found:
        key = (membership.user_id, membership.team_id)
        if key in wanted:
            reused[key] = membership


def membership_of(user: Actor, team_id: Any) -> Membership:
    """The user's membership in the team; ``NotFound`` for anyone else (no existence leak)."""
    user_id = _user_id(user)
    try:
        key = (user_id, int(team_id))
    except (TypeError, ValueError):
        raise NotFound(_("Team not found.")) from None
    reused = _reused.get()
    if reused is not None and key in reused:
        found = reused[key]
        if found is None:  # read by ``prefetch_memberships``: not a member
            raise NotFound(_("Team not found."))
        return found
    try:
        membership = Membership.objects.select_related("team").get(team_id=key[1], user_id=user_id)
    except Membership.DoesNotExist:
        raise NotFound(_("Team not found.")) from None
    if reused is not None:
        reused[key] = membership
    return membership


def require_host(user: Actor, team_id: Any) -> Membership:
    membership = membership_of(user, team_id)
    if not membership.is_host:
        raise Forbidden(_("Only the team's host can do this."))
    return membership


def member_of_team(team_id: int, member_id: Any, field: str = "member") -> Membership:
    """A membership of this team by id, or a field error naming ``field``."""
    try:
        return Membership.objects.select_related("user").get(team_id=team_id, pk=int(member_id))
    except (Membership.DoesNotExist, TypeError, ValueError):
        raise Invalid.field(field, _("Not a member of this team.")) from None


def _lock_team(team_id: int) -> Team:
    try:
        return Team.objects.select_for_update().get(pk=team_id)
    except Team.DoesNotExist:
        raise NotFound(_("Team not found.")) from None


def lock_membership(user: Actor, team_id: Any) -> tuple[Team, Membership]:
    """Lock the user's team and re-read their membership under that lock.

    The team row is the team's lock: every service that writes memberships, milestones
    or todos takes it first, so writes to one team run one at a time and always lock in
    the same order (team, then its rows). Without it MySQL deadlocked, e.g. a todo update
    touching the (team, ...) index takes a shared lock on the team row for its foreign-key
    check while holding the todo, against a removal holding the team and wanting the
    todo. The membership read *after* the lock is current: a concurrent leave, removal
    or host transfer has either committed or not started. ``NotFound`` for outsiders.
    """
    membership = membership_of(user, team_id)  # NotFound for outsiders, before locking
    team = _lock_team(membership.team_id)
    try:
        current = Membership.objects.select_for_update().get(pk=membership.pk)
    except Membership.DoesNotExist:
        raise NotFound(_("Team not found.")) from None
    return team, current


def _locked_host(user: Actor, team_id: Any) -> tuple[Team, Membership]:
    team, membership = lock_membership(user, team_id)
    if not membership.is_host:
        raise Forbidden(_("Only the team's host can do this."))
    return team, membership


def _end_membership(team_id: int, user_ids: list[int], *, team_deleted: bool = False) -> None:
    def send() -> None:
        for user_id in user_ids:
            membership_ended.send(
                sender=Membership, team_id=team_id, user_id=user_id, team_deleted=team_deleted
            )

    transaction.on_commit(send)


# --- validation ----------------------------------------------------------------------------


def _clean_team_fields(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "title" in data or creating:
        cleaned["title"] = clean_text_into(
            errors, data.get("title"), field="title", max_length=TEAM_TITLE_MAX
        )
    if "introduction" in data:
        cleaned["introduction"] = clean_text_into(
            errors,
            data["introduction"],
            field="introduction",
            max_length=TEAM_INTRO_MAX,
            min_length=0,
            multiline=True,
        )
    if "max_members" in data:
        value = data["max_members"]
        if isinstance(value, bool) or not isinstance(value, int):
            errors["max_members"] = [_("A whole number is required.")]
        elif not MIN_MEMBERS <= value <= MAX_MEMBERS:
            errors["max_members"] = [
                _("Between %(min)d and %(max)d members.") % {"min": MIN_MEMBERS, "max": MAX_MEMBERS}
            ]
        cleaned["max_members"] = value
    if "timezone" in data:
        name = str(data.get("timezone") or "")
        if name not in _timezones():
            errors["timezone"] = [_("Not a known time zone (use an IANA name like Asia/Seoul).")]
        cleaned["timezone"] = name
    if "password" in data or creating:
        password = data.get("password")
        if not isinstance(password, str) or not (
            JOIN_PASSWORD_MIN <= len(password) <= JOIN_PASSWORD_MAX
        ):
            errors["password"] = [
                _("A join password has %(min)d to %(max)d characters.")
                % {"min": JOIN_PASSWORD_MIN, "max": JOIN_PASSWORD_MAX}
            ]
        cleaned["password"] = password
    if errors:
        raise Invalid(errors)
    return cleaned


# --- team life cycle -----------------------------------------------------------------------


@transaction.atomic
def create_team(user: Actor, **data: Any) -> Team:
    """Create a team; the creator becomes its host and first member."""
    _user_id(user)
    cleaned = _clean_team_fields(data, creating=True)
    password = cleaned.pop("password")
    team = Team(**cleaned)
    team.set_join_password(password)
    team.invite_code = _unused_invite_code()
    team.save()
    Membership.objects.create(team=team, user_id=_user_id(user), role=Role.HOST)
    return team


def _unused_invite_code() -> str:
    for _attempt in range(10):
        code = new_invite_code()
        if not Team.objects.filter(invite_code=code).exists():
            return code
    raise Conflict(_("Could not make a unique invite code; try again."))  # pragma: no cover


@transaction.atomic
def update_team(user: Actor, team_id: Any, **data: Any) -> Team:
    """Host only: title, introduction, max_members (never below the member count),
    timezone and the join password."""
    team, _host = _locked_host(user, team_id)
    cleaned = _clean_team_fields(data, creating=False)
    if "max_members" in cleaned:
        count = team.memberships.count()
        if cleaned["max_members"] < count:
            raise Invalid.field(
                "max_members",
                _("The team already has %(count)d members; the maximum cannot be lower.")
                % {"count": count},
            )
    password = cleaned.pop("password", None)
    for field, value in cleaned.items():
        setattr(team, field, value)
    if password is not None:
        team.set_join_password(password)
    team.save()
    return team


@transaction.atomic
def regenerate_invite_code(user: Actor, team_id: Any) -> Team:
    team, _host = _locked_host(user, team_id)
    team.invite_code = _unused_invite_code()
    team.save(update_fields=["invite_code"])
    return team


@transaction.atomic
def disband_team(user: Actor, team_id: Any) -> None:
    team, _host = _locked_host(user, team_id)
    pk = team.pk  # delete() sets team.pk to None
    user_ids = list(team.memberships.values_list("user_id", flat=True))
    team.delete()
    _end_membership(pk, user_ids, team_deleted=True)


# --- membership ----------------------------------------------------------------------------


def _join_limiter() -> FixedWindowLimiter:
    return FixedWindowLimiter("join", conf.join_rate)


def join_team(user: Actor, invite_code: Any, password: Any) -> Membership:
    """Join with invite code and password.

    An unknown code and a wrong password give the same error; wrong attempts are limited
    per user. The team row is locked while counting, so concurrent joins never exceed
    ``max_members``.
    """
    user_id = _user_id(user)
    errors: dict[str, list[str]] = {}
    if not isinstance(invite_code, str) or not invite_code.strip():
        errors["invite_code"] = [_("This field is required.")]
    if not isinstance(password, str) or not password:
        errors["password"] = [_("This field is required.")]
    if errors:
        raise Invalid(errors)
    limiter = _join_limiter()
    # Count the attempt before checking it: checking the count first and counting after
    # the (deliberately slow) password hash let parallel guesses all pass the check.
    if limiter.hit(str(user_id)) > limiter.rate.count:
        raise RateLimited(
            _("Too many wrong invite codes or passwords. Try again later."),
            retry_after=limiter.retry_after(),
        )
    team = _team_with_code(invite_code)
    if team is None:
        make_password(password)  # same cost as a real check: no timing oracle
        matched = False
    else:
        matched = team.check_join_password(password)
    if team is None or not matched:
        raise Invalid(message=_("The invite code or the password is wrong."))
    limiter.release(str(user_id))  # only wrong attempts count
    return _add_member(team, user_id)


def _team_with_code(invite_code: str) -> Team | None:
    """The team whose code was typed: exactly, or in any case for a code of the
    unambiguous alphabet. Spaces and hyphens a person adds while copying are ignored."""
    code = "".join(invite_code.split())
    candidates = {code, code.replace("-", ""), code.upper(), code.replace("-", "").upper()}
    # Compared again in Python: MySQL's default collations match case-insensitively.
    for team in Team.objects.filter(invite_code__in=candidates):
        if team.invite_code == code or (
            is_plain_invite_code(team.invite_code)
            and team.invite_code == code.replace("-", "").upper()
        ):
            return team
    return None


def _add_member(team: Team, user_id: int) -> Membership:
    """A new member of ``team``, counted under the team's lock (never past its maximum)."""
    try:
        with transaction.atomic():
            team = _lock_team(team.pk)
            if Membership.objects.filter(team=team, user_id=user_id).exists():
                raise Conflict(_("You are already a member of this team."))
            if Membership.objects.filter(team=team).count() >= team.max_members:
                raise Conflict(_("This team is full."))
            membership = Membership.objects.create(team=team, user_id=user_id, role=Role.MEMBER)
            publish_team_event(team.pk, "member.joined", by=user_id, user=user_id)
            return membership
    except IntegrityError:
        # The (team, user) constraint caught a double join racing this one.
        raise Conflict(_("You are already a member of this team.")) from None


# --- invite links --------------------------------------------------------------------------

INVITE_LINK_SALT = "teammoa.core.invite-link"


@dataclass(frozen=True)
class InviteLink:
    """A signed invitation to one team: whoever opens it may join without the password,
    until it expires or the host makes a new invite code (which ends every link)."""

    token: str
    team: Team
    expires_at: datetime.datetime


def invite_link(user: Actor, team_id: Any) -> InviteLink:
    """Host only: a fresh invite link for the team, valid for ``INVITE_LINK_DAYS``."""
    host = require_host(user, team_id)
    team = host.team
    signer = signing.TimestampSigner(salt=INVITE_LINK_SALT)
    token = signer.sign_object({"team": team.pk, "code": team.invite_code})
    expires_at = timezone.now() + datetime.timedelta(days=conf.INVITE_LINK_DAYS)
    return InviteLink(token=token, team=team, expires_at=expires_at)


def team_of_invite_link(token: Any) -> Team:
    """The team an invite link names; ``Invalid`` (field ``token``) for a link that is
    malformed or forged, expired, or ended by a new invite code."""
    if not isinstance(token, str) or not token.strip():
        raise Invalid.field("token", _("This field is required."))
    signer = signing.TimestampSigner(salt=INVITE_LINK_SALT)
    try:
        data = signer.unsign_object(
            token.strip(), max_age=datetime.timedelta(days=conf.INVITE_LINK_DAYS)
        )
    except signing.SignatureExpired:
        raise Invalid.field(
            "token", _("This invite link has expired. Ask the host for a new one.")
        ) from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise Invalid.field(
            "token",
            _("This is not a valid invite link. Check that it was copied whole."),
        ) from None
    team_id = data.get("team") if isinstance(data, dict) else None
    code = data.get("code") if isinstance(data, dict) else None
    team = Team.objects.filter(pk=team_id).first() if isinstance(team_id, int) else None
    if team is None or team.invite_code != code:
        raise Invalid.field(
            "token",
            _("This invite link no longer works. Ask the host for a new one."),
        )
    return team


def join_team_by_link(user: Actor, token: Any) -> Membership:
    """Join the team an invite link names: the link stands for the code and password."""
    user_id = _user_id(user)
    return _add_member(team_of_invite_link(token), user_id)


def _leave(team: Team, membership: Membership) -> None:
    """Remove a membership; hand the host role on, or delete the team when it empties.

    The caller holds the team's row lock and read ``membership`` under it.
    """
    team_id = team.pk  # delete() sets team.pk to None
    if membership.is_host:
        successor = (
            team.memberships.select_for_update()
            .exclude(pk=membership.pk)
            .order_by("joined_at", "id")
            .first()
        )
        # Delete first: the database allows one host per team at any moment.
        membership.delete()
        if successor is None:
            team.delete()
        else:
            successor.role = Role.HOST
            successor.save(update_fields=["role"])
    else:
        membership.delete()
    _end_membership(team_id, [membership.user_id], team_deleted=team.pk is None)
    if team.pk is not None:  # the team stays: tell the others
        user_id = membership.user_id
        publish_team_event(team_id, "member.left", by=user_id, user=user_id, removed=False)


@transaction.atomic
def leave_team(user: Actor, team_id: Any) -> None:
    team, membership = lock_membership(user, team_id)
    _leave(team, membership)


@transaction.atomic
def leave_all_teams(user: Actor) -> int:
    """Leave every team (host succession applies); used when an account is deactivated.

    Returns the number of teams left.
    """
    user_id = _user_id(user)
    team_ids = set(Membership.objects.filter(user_id=user_id).values_list("team_id", flat=True))
    # Lock every team, in id order, before changing any. A host change writes the
    # one-host unique index, and InnoDB's duplicate check also locks the next index entry,
    # which can belong to the next team: waiting for a team lock while holding that
    # deadlocked with a member leaving that next team.
    teams = list(Team.objects.select_for_update().filter(pk__in=team_ids).order_by("pk"))
    left = 0
    for team in teams:
        membership = (
            Membership.objects.select_for_update().filter(team=team, user_id=user_id).first()
        )
        if membership is not None:  # may have left meanwhile
            _leave(team, membership)
            left += 1
    return left


@transaction.atomic
def transfer_host(user: Actor, team_id: Any, member_id: Any) -> Membership:
    team, current = _locked_host(user, team_id)
    target = member_of_team(team.pk, member_id)
    if target.pk == current.pk:
        raise Invalid.field("member", _("You are already the host."))
    # Demote first: the database allows one host per team at any moment.
    current.role = Role.MEMBER
    current.save(update_fields=["role"])
    target.role = Role.HOST
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def remove_member(user: Actor, team_id: Any, member_id: Any) -> None:
    team, host = _locked_host(user, team_id)
    try:
        target = Membership.objects.select_for_update().get(team=team, pk=int(member_id))
    except (Membership.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No such member in this team.")) from None
    if target.pk == host.pk:
        raise Conflict(_("The host cannot remove themself; leave the team instead."))
    target.delete()  # their todos become unassigned, their posts stay ("deleted user")
    _end_membership(team.pk, [target.user_id])
    publish_team_event(team.pk, "member.left", by=user, user=target.user_id, removed=True)


def members_of(user: Actor, team_id: Any) -> QuerySet[Membership]:
    membership = membership_of(user, team_id)
    return (
        Membership.objects.filter(team_id=membership.team_id)
        .select_related("user")
        .order_by("joined_at", "id")
    )
