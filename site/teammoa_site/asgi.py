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

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from teammoa.core.websocket import CloseOnError, OriginValidator  # noqa: E402
from teammoa.mindmap.routing import websocket_urlpatterns as mindmap_routes  # noqa: E402
from teammoa_site.proxy import TrustedProxyMiddleware  # noqa: E402
from teammoa_site.websocket import fallback_routes  # noqa: E402

router = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginValidator(
            CloseOnError(AuthMiddlewareStack(URLRouter([*mindmap_routes, *fallback_routes])))
        ),
    }
)
application = TrustedProxyMiddleware(router)
