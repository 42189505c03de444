"""The ASGI application of a test server process, built like the site's."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.multiprocess.settings")

import django

django.setup()


def _database_down_while_the_file_exists(marker: str) -> None:
    """Every query fails as if the database were unreachable while ``marker`` exists."""
    from django.db import OperationalError
    from django.db.backends import utils

    def guarded(original):
        def run(self, *args, **kwargs):
            if os.path.exists(marker):
                raise OperationalError(2003, "Can't connect to the database (test outage)")
            return original(self, *args, **kwargs)

        return run

    utils.CursorWrapper._execute = guarded(utils.CursorWrapper._execute)
    utils.CursorWrapper._executemany = guarded(utils.CursorWrapper._executemany)


if os.environ.get("TEAMMOA_TEST_DB_DOWN_FILE"):
    _database_down_while_the_file_exists(os.environ["TEAMMOA_TEST_DB_DOWN_FILE"])

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

from teammoa.core.websocket import CloseOnError, OriginValidator  # noqa: E402
from teammoa.mindmap.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": OriginValidator(
            CloseOnError(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
