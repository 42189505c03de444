"""deploy/serve.py spends nothing on socket debug lines that nobody writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SERVE = Path(__file__).resolve().parents[1] / "serve.py"


def test_autobahn_formats_its_debug_arguments_only_when_a_line_is_written(monkeypatch):
    spec = importlib.util.spec_from_file_location("teammoa_serve_under_test", SERVE)
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    from autobahn.twisted import websocket as twisted_websocket
    from autobahn.websocket import protocol

    calls: list[tuple[str, object]] = []

    def recording(name):
        return lambda value: calls.append((name, value)) or f"<{name}>"

    for module in (protocol, twisted_websocket):
        for name in ("pformat", "hltype", "hlval"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, recording(name))
    monkeypatch.delattr(protocol, "teammoa_formats_lazily", raising=False)
    monkeypatch.setattr(protocol.Timings, "__str__", protocol.Timings.__str__)

    serve.format_socket_logs_lazily()
    # What sendData and _connectionMade hand their debug calls: nothing formatted yet.
    arguments = [protocol.pformat([("openHandshakeTimeout", 20)]), protocol.hltype(len)]
    arguments.append(twisted_websocket.hlval(42))
    assert calls == []

    assert [f"{argument}" for argument in arguments] == ["<pformat>", "<hltype>", "<hlval>"]
    assert len(calls) == 3
    assert isinstance(str(protocol.Timings()), str)  # its __str__ still answers a string
