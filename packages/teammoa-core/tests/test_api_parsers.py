"""JSON request bodies: nesting is bounded before the decoder recurses (issue 9)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from teammoa.core.api.parsers import JSONNestingError, load_json, nesting_exceeds

DEEP = 100_000


@pytest.mark.parametrize(
    "text",
    ["[" * DEEP + "]" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP, "[" * DEEP, "[{" * 17],
)
def test_deep_documents_are_refused_before_decoding(text):
    with pytest.raises(JSONNestingError, match="nested more than 32 levels deep"):
        load_json(text)


def test_shallow_documents_and_brackets_in_strings_decode():
    assert load_json(b'{"a": [[1], {"b": "[[[[{{{{"}]}') == {"a": [[1], {"b": "[[[[{{{{"}]}
    nested = load_json("[" * 32 + "]" * 32)
    for _level in range(31):
        (nested,) = nested
    assert nested == []
    assert not nesting_exceeds('["' + "[" * 1000 + '\\"]"]', 32)
    assert not nesting_exceeds("[]" * 10_000, 32)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", "{", b"\xff"])
def test_what_is_not_json_is_a_value_error(text):
    with pytest.raises(ValueError):
        load_json(text)


@pytest.mark.django_db
def test_a_deep_body_to_a_core_endpoint_is_a_400(team, host):
    client = APIClient()
    client.force_authenticate(host.user)
    body = "[" * DEEP + "]" * DEEP
    response = client.post(f"/api/v1/teams/{team.pk}/todos/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON is nested more than 32 levels deep."}
    broken = client.post(f"/api/v1/teams/{team.pk}/todos/", "{", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("The body is not valid JSON")
