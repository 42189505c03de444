"""deploy/serve.py hands every request body to the application untouched."""

from __future__ import annotations

import socket

from tests.support import LOCALHOST, Server, free_port, serve_command, site_env

# A multipart body with no part: Twisted's own form parser (on by default in every
# twisted.web request, Daphne's included) rejects it with a bare "400 Bad Request" and
# drops the connection, before the application can say what is wrong.
BOUNDARY = "fuzz0boundary"
BODY = f"--{BOUNDARY}--\r\n".encode()


def raw_post(port: int, path: str) -> bytes:
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {LOCALHOST}:{port}\r\nX-Forwarded-Proto: https\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(BODY)}\r\nConnection: close\r\n\r\n"
    ).encode() + BODY
    with socket.create_connection((LOCALHOST, port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_malformed_multipart_body_reaches_the_application(tmp_path):
    port = free_port()
    # The one-Daphne layout: there Twisted parses every HTTP request (with gunicorn, the
    # default, only the WebSocket handshakes).
    env = site_env(tmp_path, "teammoa_deploy_serve_unused", port, TEAMMOA_SERVER="daphne")
    server = Server(serve_command(), env, port, tmp_path / "serve.log").start()
    try:
        response = raw_post(port, "/api/v1/teams/")
    finally:
        server.stop()
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    # The application's answer (here: sign in first), with its headers, not Twisted's.
    assert head.startswith("HTTP/1.1 401") or head.startswith("HTTP/1.1 403"), head
    assert "content-type: application/json" in head.lower(), head
