"""Signal receivers, connected in ``AppConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from teammoa.core.models import Post


@receiver(post_delete, sender=Post, dispatch_uid="teammoa_core_delete_attachment_file")
def delete_attachment_file(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    """A deleted post (also by cascade, when a team is disbanded) takes its file along."""
    from teammoa.core.services.posts import delete_file_after_commit

    delete_file_after_commit(instance.attachment.name)
