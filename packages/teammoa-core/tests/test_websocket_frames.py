"""Text frames built once for many sockets (RFC 6455 section 5.2: as a server sends them)."""

from __future__ import annotations

from teammoa.core.websocket import frames_offered, send_frames_message
from teammoa.core.websocket.frames import EXTENSION, text_frame


def test_each_length_gets_the_header_of_its_size():
    assert text_frame("hi") == b"\x81\x02hi"
    assert text_frame("é") == b"\x81\x02" + "é".encode()  # the length is of the UTF-8 bytes
    medium = "m" * 126
    assert text_frame(medium) == b"\x81\x7e\x00\x7e" + medium.encode()
    large = "l" * 65536
    assert text_frame(large) == b"\x81\x7f" + (65536).to_bytes(8, "big") + large.encode()
    assert text_frame("x" * 125)[:2] == b"\x81\x7d"
    assert text_frame("x" * 65535)[:4] == b"\x81\x7e\xff\xff"


def test_a_message_joins_the_frames_in_order_and_keeps_the_texts():
    message = send_frames_message(['{"type":"a"}', '{"type":"b"}'])

    assert message["type"] == "websocket.send_frames"
    assert message["frames"] == b'\x81\x0c{"type":"a"}\x81\x0c{"type":"b"}'
    assert message["texts"] == ['{"type":"a"}', '{"type":"b"}']


def test_only_a_server_that_offers_it_gets_frames():
    assert frames_offered({"type": "websocket", "extensions": {EXTENSION: {}}})
    assert not frames_offered({"type": "websocket", "extensions": {"websocket.http.response": {}}})
    assert not frames_offered({"type": "websocket"})
