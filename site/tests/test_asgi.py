"""The ASGI entry point: HTTP goes to Django, WebSockets to the apps' routes behind checks."""

from __future__ import annotations

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator

from teammoa_site.asgi import application, router

ALLOWED_ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


async def fetch(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> dict:
    """GET ``path`` through the ASGI application, then let the request finish cleanly."""
    communicator = HttpCommunicator(application, "GET", path, headers=headers)
    response = await communicator.get_response(timeout=5)
    # Django keeps listening for the client's disconnect; without it the request (and its
    # spooled body file) is never closed.
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=5)
    return response


def test_the_application_routes_http_and_websocket():
    assert set(router.application_mapping) == {"http", "websocket"}
    assert application.app is router


@pytest.mark.asyncio
async def test_http_reaches_django():
    response = await fetch("/health/live/")

    assert response["status"] == 200
    assert b'"alive"' in response["body"]
    headers = {name.lower(): value for name, value in response["headers"]}
    assert headers[b"cache-control"] == b"no-store"


@pytest.mark.asyncio
async def test_http_runs_the_site_urlconf():
    response = await fetch("/no-such-page/", headers=[(b"host", b"localhost")])

    assert response["status"] == 404


@pytest.mark.asyncio
async def test_websocket_from_a_foreign_origin_is_rejected():
    communicator = WebsocketCommunicator(
        application,
        "/ws/mindmaps/1/",
        headers=[(b"origin", b"http://attacker.example"), (b"host", b"localhost")],
    )

    connected, _ = await communicator.connect(timeout=5)

    assert not connected
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_websocket_to_an_unknown_path_is_rejected():
    communicator = WebsocketCommunicator(application, "/ws/no-such-thing/", headers=ALLOWED_ORIGIN)

    # The site's fallback route closes such sockets with 4404 (no server traceback), after
    # accepting them so that the client learns the code.
    connected, _ = await communicator.connect(timeout=2)
    assert connected
    assert (await communicator.receive_output(2)) == {"type": "websocket.close", "code": 4404}
