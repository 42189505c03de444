"""ASGI entry point: Django for HTTP, the apps' WebSocket routes behind session auth.

Every socket route sits behind core's ``OriginValidator`` (SPEC section 9: the Origin must
be the request's own origin or listed in ``CSRF_TRUSTED_ORIGINS``; refused before accept).
Proxy headers are believed only from ``TRUSTED_PROXIES`` (``teammoa_site.proxy``), whichever
server runs this application.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
# Set up Django before importing anything that touches models.
django_asgi_app = get_asgi_application()

from django.db import connections  # noqa: E402

# SPEC section 7: under ASGI each request runs in a thread of its own with a connection of
# its own, so kept-open connections would pile up to max_connections. Only the WSGI
# server, with its bounded threads, may keep them (DATABASE_CONN_MAX_AGE).
for _alias in connections:
    connections.settings[_alias]["CONN_MAX_AGE"] = 0

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from teammoa.core.routing import websocket_urlpatterns as core_routes  # noqa: E402
from teammoa.core.websocket import CloseOnError, OriginValidator  # noqa: E402
from teammoa.mindmap.routing import websocket_urlpatterns as mindmap_routes  # noqa: E402
from teammoa_site.metrics import WebSocketMetrics  # noqa: E402
from teammoa_site.proxy import TrustedProxyMiddleware  # noqa: E402
from teammoa_site.sentry import init_from_settings, wrap_asgi  # noqa: E402
from teammoa_site.websocket import AuthMiddlewareStack, fallback_routes  # noqa: E402

init_from_settings()

router = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Metrics outside the origin check and the routes: their refusals count too.
        # Sentry inside CloseOnError, which ends the exception's way out with a 4500.
        "websocket": WebSocketMetrics(
            OriginValidator(
                CloseOnError(
                    wrap_asgi(
                        AuthMiddlewareStack(
                            URLRouter([*core_routes, *mindmap_routes, *fallback_routes])
                        )
                    )
                )
            )
        ),
    }
)
application = TrustedProxyMiddleware(router)
