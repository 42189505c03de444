"""deploy/serve.py spends nothing on a new socket's debug lines that nobody writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SERVE = Path(__file__).resolve().parents[1] / "serve.py"


def test_socket_options_are_formatted_only_when_a_debug_line_is_written(monkeypatch):
    spec = importlib.util.spec_from_file_location("teammoa_serve_under_test", SERVE)
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    from autobahn.websocket import protocol

    calls: list[object] = []
    monkeypatch.setattr(protocol, "pformat", lambda value: calls.append(value) or "formatted")
    monkeypatch.delattr(protocol, "teammoa_formats_lazily", raising=False)
    monkeypatch.setattr(protocol.Timings, "__str__", protocol.Timings.__str__)

    serve.format_socket_options_lazily()
    options = [("openHandshakeTimeout", 20, "Factory")]
    logged = protocol.pformat(options)

    assert calls == []  # what _connectionMade hands its debug call: nothing formatted yet
    assert f"\n{logged}" == "\nformatted" and str(logged) == "formatted"
    assert calls == [options, options]
    assert str(protocol.Timings()) == "formatted"  # its __str__ used pformat too
