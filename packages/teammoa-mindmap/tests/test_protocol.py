"""Protocol v1 as pure functions: frames in, requests or error codes out."""

from __future__ import annotations

import json

import pytest

from teammoa.core import errors
from teammoa.mindmap import protocol
from teammoa.mindmap.limits import TokenBucket
from teammoa.mindmap.protocol import ProtocolError


def code_of(text, limit=65536):
    with pytest.raises(ProtocolError) as caught:
        protocol.parse(text, limit)
    return caught.value.code


def test_every_message_type_of_the_table_is_known():
    assert set(protocol.SCHEMAS) >= {
        "node.create", "node.move", "node.drag", "node.update", "node.delete",
        "connection.create", "connection.delete", "node.recommend", "comment.create",
        "cursor", "resync",
    }  # fmt: skip
    assert {"cursor", "node.drag"} == protocol.VOLATILE


def test_valid_frames_become_requests():
    request = protocol.parse('{"type": "node.move", "node": 3, "x": 1, "y": 2, "req": "a"}', 1000)
    assert (request.type, request.fields, request.req) == (
        "node.move",
        {"node": 3, "x": 1, "y": 2},
        "a",
    )
    assert protocol.parse('{"type": "resync"}', 1000).fields == {}
    assert protocol.parse('{"type": "cursor", "x": 0, "y": 3600}', 1000).volatile


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("nope", protocol.BAD_JSON),
        ("[]", protocol.BAD_JSON),
        ('"x"', protocol.BAD_JSON),
        ("[" * 100_000, protocol.BAD_JSON),
        ('{"type": "nope"}', protocol.UNKNOWN_TYPE),
        ("{}", protocol.UNKNOWN_TYPE),
        ('{"type": "node.move", "node": 1, "x": 1}', protocol.INVALID),
        ('{"type": "cursor", "x": -1, "y": 1}', protocol.INVALID),
    ],
)
def test_junk_gets_its_code(text, code):
    assert code_of(text, limit=10**6) == code


def test_frame_size_is_counted_in_bytes():
    assert code_of(json.dumps({"type": "cursor", "pad": "a" * 70_000})) == protocol.TOO_LARGE
    assert code_of(json.dumps({"type": "x", "pad": "가" * 22_000}, ensure_ascii=False)) == (
        protocol.TOO_LARGE
    )
    assert not protocol.frame_too_large("가" * 21_000, 65536)


def test_the_req_is_echoed_in_errors():
    with pytest.raises(ProtocolError) as caught:
        protocol.parse('{"type": "nope", "req": "r1"}', 1000)
    assert caught.value.req == "r1"
    frame = protocol.error("invalid", "Bad.", "r1", {"x": ["No."]})
    assert frame == {"type": "error", "req": "r1", "code": "invalid", "message": "Bad.",
                     "errors": {"x": ["No."]}}  # fmt: skip


def test_domain_errors_map_to_codes():
    assert protocol.domain_error(errors.NotFound())["code"] == "not_found"
    assert protocol.domain_error(errors.Forbidden())["code"] == "forbidden"
    assert protocol.domain_error(errors.RateLimited())["code"] == "rate_limited"
    invalid = protocol.domain_error(errors.Invalid({"title": ["Too long."]}), "r")
    assert (invalid["code"], invalid["errors"], invalid["req"]) == (
        "invalid",
        {"title": ["Too long."]},
        "r",
    )
    assert set(protocol.ERROR_CODES) == {
        "bad_json", "unknown_type", "invalid", "not_found", "forbidden", "rate_limited",
        "too_large", "unavailable",
    }  # fmt: skip


def test_encoding_helpers():
    encoded = protocol.dumps({"type": "node.moved", "version": 3})
    assert json.loads(protocol.with_req(encoded, "r9")) == {
        "type": "node.moved",
        "version": 3,
        "req": "r9",
    }
    assert protocol.with_req(encoded, None) == encoded
    assert json.loads(protocol.batch([encoded, encoded]))["messages"][1]["version"] == 3


def test_token_bucket():
    now = [0.0]
    bucket = TokenBucket(3, 1, clock=lambda: now[0])
    assert [bucket.allow() for _ in range(4)] == [True, True, True, False]
    now[0] = 0.34
    assert bucket.allow() and not bucket.allow()


def test_every_close_code_is_one_the_server_stack_can_send():
    # autobahn's sendClose (under Daphne) takes 1000 or 3000-4999 and refuses the rest, so
    # a 1011 asked for by the application never leaves the server.
    assert protocol.CLOSE_CODES
    for code in protocol.CLOSE_CODES:
        assert code == 1000 or 3000 <= code <= 4999
