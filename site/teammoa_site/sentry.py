"""Error tracking with Sentry, switched on by ``SENTRY_DSN``.

The Django integration reports unhandled exceptions of HTTP requests (Channels' ASGI
handler included); ``asgi.py`` wraps the WebSocket routes in Sentry's ASGI middleware so
errors in socket handlers are reported too. Events carry the release (the image tag,
``TEAMMOA_RELEASE``), the environment and the request id, and no personal data (see
``DATA_COLLECTION``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _with_request_id(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """The request id as a tag, and the URL without secret URL arguments (a calendar
    feed's key: ``teammoa_site.logs.SECRET_URL_ARGUMENTS``)."""
    from teammoa_site.logs import NO_REQUEST, current_request_id, logged_url

    request_id = current_request_id()
    if request_id != NO_REQUEST:
        event.setdefault("tags", {})["request_id"] = request_id
    request = event.get("request")
    if isinstance(request, dict) and isinstance(request.get("url"), str):
        request["url"] = logged_url(request["url"])
    return event


# No personal data: no user details, cookies, request bodies, query results or local
# variables (which may hold any of them). Headers and query strings keep Sentry's default
# denylist (authorisation, tokens, cookies, forwarded addresses are replaced).
DATA_COLLECTION: dict[str, Any] = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_bodies": [],
    "database_query_data": False,
    "stack_frame_variables": False,
}


def _privacy_options() -> dict[str, Any]:
    """Newer SDKs (``data_collection``, whose 3.x default includes user details) get it
    spelt out; older ones collect no personal data unless ``send_default_pii`` is set."""
    import inspect

    from sentry_sdk.consts import ClientConstructor

    if "data_collection" in inspect.signature(ClientConstructor.__init__).parameters:
        return {"data_collection": DATA_COLLECTION}
    return {"include_local_variables": False, "max_request_body_size": "never"}


def init_sentry(
    dsn: str,
    *,
    release: str = "",
    environment: str = "production",
    traces_sample_rate: float = 0.0,
    transport: Any = None,
) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    options: dict[str, Any] = _privacy_options()
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=dsn,
        release=release or None,
        environment=environment,
        integrations=[DjangoIntegration()],
        traces_sample_rate=traces_sample_rate,
        before_send=_with_request_id,
        **options,
    )


def init_from_settings() -> bool:
    """Start Sentry when ``SENTRY_DSN`` is set; True if it did."""
    dsn = getattr(settings, "SENTRY_DSN", "")
    if not dsn:
        return False
    init_sentry(
        dsn,
        release=getattr(settings, "TEAMMOA_RELEASE", ""),
        environment=getattr(settings, "SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=getattr(settings, "SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )
    return True


def wrap_asgi(app: Any) -> Any:
    """The WebSocket application, reporting its errors when Sentry is on."""
    if not getattr(settings, "SENTRY_DSN", ""):
        return app
    from sentry_sdk.integrations.asgi import SentryAsgiMiddleware

    return SentryAsgiMiddleware(app)
