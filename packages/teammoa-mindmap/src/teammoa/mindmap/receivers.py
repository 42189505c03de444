"""Signal receivers, connected in ``AppConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from teammoa.core.signals import membership_ended


@receiver(membership_ended, dispatch_uid="teammoa_mindmap_close_sockets")
def close_sockets_of_former_member(sender: Any, team_id: int, user_id: int, **kwargs: Any) -> None:
    """A member who leaves or is removed loses their open editors at once (SPEC section 2)."""
    from teammoa.mindmap.broadcast import end_membership

    end_membership(team_id, user_id)
