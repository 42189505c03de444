"""The user a service acts for, as the apps see it: any ``AUTH_USER_MODEL`` (or anonymous,
which the services refuse), never ``auth.User`` in particular."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

Actor: TypeAlias = AbstractBaseUser | AnonymousUser


def actor_id(user: Actor | int | None) -> int | None:
    """The acting user's id: an id stands for itself; anonymous (or None) has none."""
    if user is None or isinstance(user, bool):
        return None
    if isinstance(user, int):
        return user
    if not user.is_authenticated:
        return None
    return int(user.pk)
