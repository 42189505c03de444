"""The ASGI application of a test server process, built like the site's."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.multiprocess.settings")

import django

django.setup()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

from teammoa.core.websocket import OriginValidator  # noqa: E402
from teammoa.mindmap.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
