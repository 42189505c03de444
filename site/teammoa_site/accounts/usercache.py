"""The signed-in user from the cache: no database query per request for ``request.user``.

Django's ``AuthenticationMiddleware`` reads the user row on every request that touches
``request.user`` (nearly all of them: every page shows who is signed in, every API call
checks it). Here the row is kept in the default cache (Redis in production, shared by
every server process) and used when it still verifies the session exactly as Django
would: same user id, a backend Django accepts, active, and the session's auth hash
matching the cached password hash. Anything else (no session, a stale hash, a fallback
secret, an inactive user) takes Django's own ``get_user``, which then fills the cache.

Freshness: every save or delete of a user replaces a random *token* under the user's
token key; a cached entry carries the token it was read under and counts only while the
token is unchanged. The entry and the token are fetched in one round trip (``get_many``),
and a save racing with a read can never leave a stale entry that counts (the reader
stored the old token). A change that bypasses the model's signals (``QuerySet.update``,
raw SQL: nothing in TeamMoa does that to users), or one saved while Redis was unreachable
(the cache fails open: the new token is lost), shows after ``TEAMMOA_USER_CACHE_SECONDS``
(60) at most; ``0`` switches the cache off.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware, auser
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

DEFAULT_SECONDS = 60
# A token outlives every entry read under it, so an expired token cannot make an old
# entry count again.
TOKEN_SECONDS_FACTOR = 2


def _seconds() -> int:
    return int(getattr(settings, "TEAMMOA_USER_CACHE_SECONDS", DEFAULT_SECONDS))


def _keys(user_id: Any) -> tuple[str, str]:
    return f"teammoa:user:{user_id}", f"teammoa:user-token:{user_id}"


def forget(user_id: Any) -> None:
    """Make every cached copy of this user stale (called on each save and delete)."""
    if _seconds() <= 0:
        return
    _entry, token = _keys(user_id)
    cache.set(token, secrets.token_hex(8), _seconds() * TOKEN_SECONDS_FACTOR)


def forget_instance(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``post_save`` / ``post_delete`` receiver for the user model."""
    if instance.pk is not None:
        forget(instance.pk)


def _verified(request: HttpRequest, user: Any, session_hash: str) -> bool:
    backend = auth.load_backend(request.session[BACKEND_SESSION_KEY])
    can_authenticate = getattr(backend, "user_can_authenticate", None)
    if can_authenticate is not None and not can_authenticate(user):
        return False
    return constant_time_compare(session_hash, user.get_session_auth_hash())


def get_user(request: HttpRequest) -> Any:
    """``request.user``: the cached row when it verifies the session, else Django's."""
    if hasattr(request, "_cached_user"):
        return request._cached_user
    (user,) = get_users([request])
    return user


def _usable_id(session: Any) -> Any:
    """The session's user id when a cached row may stand for it, else None."""
    user_id = session.get(SESSION_KEY)
    if (
        _seconds() > 0
        and user_id is not None
        and bool(session.get(HASH_SESSION_KEY))
        and session.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
    ):
        return user_id
    return None


def get_users(requests: list[Any]) -> list[Any]:
    """:func:`get_user` for many requests (anything with a ``session``: the sockets of a
    burst) with one cache round trip for all of them; each is also stored on its request
    as ``_cached_user``."""
    ids = [_usable_id(request.session) for request in requests]
    wanted = [key for user_id in ids if user_id is not None for key in _keys(user_id)]
    found = cache.get_many(wanted) if wanted else {}
    return [
        _user_for(request, user_id, found) for request, user_id in zip(requests, ids, strict=True)
    ]


def _user_for(request: Any, user_id: Any, found: dict[str, Any]) -> Any:
    token = None
    if user_id is not None:
        entry_key, token_key = _keys(user_id)
        token = found.get(token_key)
        entry = found.get(entry_key)
        if entry is not None and entry[0] == token:
            user = entry[1]
            session_hash = request.session.get(HASH_SESSION_KEY)
            if str(user.pk) == str(user_id) and _verified(request, user, session_hash):
                request._cached_user = user
                return user
    user = auth.get_user(request)
    if user_id is not None and user.is_authenticated and str(user.pk) == str(user_id):
        # Stored under the token read *before* the database read: a save in between
        # changed the token, and this entry never counts.
        cache.set(_keys(user_id)[0], (token, user), _seconds())
    request._cached_user = user
    return user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware`` with :func:`get_user` for ``request.user``."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(partial(get_user, request))
        request.auser = partial(auser, request)
