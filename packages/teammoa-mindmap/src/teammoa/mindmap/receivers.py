"""Signal receivers, connected in ``AppConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from teammoa.core.signals import membership_ended


@receiver(membership_ended, dispatch_uid="teammoa_mindmap_close_sockets")
def close_sockets_of_former_member(
    sender: Any, team_id: int, user_id: int, team_deleted: bool = False, **kwargs: Any
) -> None:
    """A member who leaves or is removed loses their open editors at once (SPEC section 2):
    4403, or 4404 when the team itself is gone (disbanded: its mindmaps with it)."""
    from teammoa.mindmap.broadcast import end_membership

    end_membership(team_id, user_id, team_deleted=team_deleted)
