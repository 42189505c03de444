"""Sessions end here: logout ends its session's sockets; account changes re-check them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from teammoa.core.signals import membership_ended
from teammoa.core.websocket.sessions import end_session, recheck_user


@receiver(user_logged_out, dispatch_uid="teammoa_core_sockets_logout")
def close_sockets_on_logout(sender: Any, request: Any = None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        end_session(session.session_key)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="teammoa_core_sockets_user")
def recheck_sockets_on_account_change(
    sender: Any, instance: Any, created: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    # A login only stamps last_login: nothing about its other sessions changed.
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    user_id = instance.pk
    transaction.on_commit(lambda: recheck_user(user_id))


@receiver(membership_ended, dispatch_uid="teammoa_core_team_sockets")
def close_team_sockets_of_former_member(
    sender: Any, team_id: int, user_id: int, team_deleted: bool = False, **kwargs: Any
) -> None:
    """A member who leaves or is removed loses their team sockets at once (4403); when the
    team itself is gone (disbanded), they are closed with 4404."""
    from teammoa.core.websocket.teams import end_membership

    end_membership(team_id, user_id, team_deleted=team_deleted)
