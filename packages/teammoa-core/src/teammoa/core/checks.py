"""System checks for the core app's settings and for the host project settings that would
silently break it (ids ``teammoa_core.E00x`` / ``W00x``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from teammoa.core.conf import conf, parse_rate


@register(Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    size = conf.ATTACHMENT_MAX_BYTES
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        errors.append(
            Error(
                f"TEAMMOA_ATTACHMENT_MAX_BYTES must be a positive integer, not {size!r}.",
                id="teammoa_core.E001",
            )
        )
    prefix = conf.ATTACHMENT_ACCEL_PREFIX
    if prefix is not None and (
        not isinstance(prefix, str) or not prefix.startswith("/") or not prefix.endswith("/")
    ):
        errors.append(
            Error(
                "TEAMMOA_ATTACHMENT_ACCEL_PREFIX must be None or a path that starts and "
                f"ends with '/', not {prefix!r}.",
                hint="For nginx use an internal location such as '/protected/'.",
                id="teammoa_core.E002",
            )
        )
    try:
        parse_rate(conf.JOIN_ATTEMPTS)
    except ValueError as exc:
        errors.append(Error(f"TEAMMOA_JOIN_ATTEMPTS: {exc}.", id="teammoa_core.E003"))
    return errors


MESSAGES_APP = "django.contrib.messages"
MESSAGES_MIDDLEWARE = "django.contrib.messages.middleware.MessageMiddleware"
DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
SESSION_AUTH = "rest_framework.authentication.SessionAuthentication"
JSON_RENDERER = "rest_framework.renderers.JSONRenderer"


PROSE_EDITOR_APP = "django_prose_editor"


@register(Tags.compatibility)
def check_host_project(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """What a host project can get wrong without noticing until a page or a limit fails."""
    found: list[CheckMessage] = []
    if MESSAGES_APP not in settings.INSTALLED_APPS or MESSAGES_MIDDLEWARE not in getattr(
        settings, "MIDDLEWARE", []
    ):
        found.append(
            Error(
                "TeamMoa's pages report what they did through django.contrib.messages, "
                "which is not fully enabled.",
                hint=f"Add {MESSAGES_APP!r} to INSTALLED_APPS and {MESSAGES_MIDDLEWARE!r} "
                "to MIDDLEWARE (after the session and authentication middleware).",
                id="teammoa_core.E004",
            )
        )
    if PROSE_EDITOR_APP not in settings.INSTALLED_APPS:
        found.append(
            Error(
                "The board's post editor loads ProseMirror from django-prose-editor's static "
                "files, which Django serves only for an installed app.",
                hint=f"Add {PROSE_EDITOR_APP!r} to INSTALLED_APPS.",
                id="teammoa_core.E007",
            )
        )
    backend = (getattr(settings, "CACHES", {}) or {}).get("default", {}).get("BACKEND")
    if backend == DUMMY_CACHE:
        found.append(
            Warning(
                "The default cache is DummyCache: the limit on wrong join attempts (and any "
                "cache-based rate limit) counts nothing and never applies.",
                hint="Use a real cache (LocMemCache for one process, Redis for several).",
                id="teammoa_core.W001",
            )
        )
    rest = getattr(settings, "REST_FRAMEWORK", {}) or {}
    authentication = rest.get("DEFAULT_AUTHENTICATION_CLASSES")
    if authentication is not None and SESSION_AUTH not in authentication:
        found.append(
            Error(
                "REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'] leaves out session "
                "authentication: the TeamMoa pages call the API with the signed-in session "
                "and every one of their requests would be refused.",
                hint=f"Keep {SESSION_AUTH!r} in the list (token or other classes may follow).",
                id="teammoa_core.E005",
            )
        )
    renderers = rest.get("DEFAULT_RENDERER_CLASSES")
    if renderers is not None and JSON_RENDERER not in renderers:
        found.append(
            Error(
                "REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'] leaves out the JSON renderer the "
                "TeamMoa pages read.",
                hint=f"Keep {JSON_RENDERER!r} in the list.",
                id="teammoa_core.E006",
            )
        )
    return found
