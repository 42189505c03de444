"""Signal receivers, connected in ``AppConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from teammoa.core.models import PostAttachment


@receiver(post_delete, sender=PostAttachment, dispatch_uid="teammoa_core_delete_attachment_file")
def delete_attachment_file(
    sender: type[PostAttachment], instance: PostAttachment, **kwargs: Any
) -> None:
    """A deleted attachment (also by cascade, with its post or a disbanded team) takes its
    file along, once the deletion commits."""
    from teammoa.core.services.posts import delete_file_after_commit

    delete_file_after_commit(instance.file.name)
