"""Failures the fuzz session knows about and reports without failing, each with its reason.

An entry names exactly what fails (the request's method and path, or a text field) and why
it is not fixed yet. Every match is counted under "known failures" in the figures and
listed at the end of the run, so a known failure stays visible; anything else fails the
session. The list is meant to be empty: remove an entry with the fix it waits for.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse


@dataclass(frozen=True)
class Known:
    reason: str
    # A 5xx (kind "server_error") or a broken response schema ("schema") of these requests.
    kind: str = "server_error"
    method: str = ".*"  # a regular expression, matched in full
    path: str = ".*"
    # For the text-field properties: the field ("team.title"…) that is not cleaned yet.
    field: str | None = None

    def matches_request(self, kind: str, method: str, path: str) -> bool:
        return (
            self.field is None
            and self.kind == kind
            and re.fullmatch(self.method, method) is not None
            and re.fullmatch(self.path, path) is not None
        )


KNOWN: list[Known] = []

SEEN: Counter[str] = Counter()


def known_request(kind: str, method: str, url: str) -> Known | None:
    path = urlparse(url).path
    for entry in KNOWN:
        if entry.matches_request(kind, method.upper(), path):
            SEEN[f"{kind} {method.upper()} {path}: {entry.reason}"] += 1
            return entry
    return None


def known_field(field: str) -> Known | None:
    return next((entry for entry in KNOWN if entry.field == field), None)


def field_param(field: str, value: Any = None) -> Any:
    """A pytest parameter for the text field ``field`` (``value``, else the name itself),
    expected to fail, with its reason, while the field is listed as known."""
    import pytest

    known = known_field(field)
    marks = [pytest.mark.xfail(reason=known.reason, strict=False)] if known else []
    return pytest.param(field if value is None else value, id=field, marks=marks)


def known_log_line(line: str) -> bool:
    """An 'Internal Server Error: <path>' line of a known server error."""
    match = re.search(r"Internal Server Error: ([^\s\"]+)", line)
    if not match:
        return False
    return any(
        entry.field is None
        and entry.kind == "server_error"
        and re.fullmatch(entry.path, match.group(1))
        for entry in KNOWN
    )


def failure_kind(failure: Any) -> str:
    from schemathesis.core.failures import ServerError

    return "server_error" if isinstance(failure, ServerError) else "schema"


def only_known(group: BaseExceptionGroup, response: Any) -> bool:
    """True when every failure of a Schemathesis FailureGroup is a known one."""
    request = response.request
    return all(
        known_request(failure_kind(failure), request.method, request.url) is not None
        for failure in group.exceptions
    )
