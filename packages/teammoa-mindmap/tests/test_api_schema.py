"""The mindmap API's responses have the shape its OpenAPI schema documents.

Found by the fuzz session's Schemathesis run (issue 9): the lists are paginated but were
documented as bare arrays, and ``node_count`` and a connection's ``version``, present in
some answers only, were documented as always there.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db(transaction=True)

MAPS = "/api/v1/teams/{team}/mindmaps/"


@pytest.fixture
def schema() -> dict[str, Any]:
    with override_settings(
        REST_FRAMEWORK={"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
    ):
        return SchemaGenerator().get_schema(request=None, public=True)


def component(schema: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def answer_schema(schema: dict[str, Any], path: str, method: str, code: str) -> dict[str, Any]:
    content = schema["paths"][path][method]["responses"][code]["content"]
    return content["application/json"]["schema"]


def assert_has_required(schema: dict[str, Any], ref: dict[str, Any], body: dict) -> None:
    missing = set(component(schema, ref).get("required", [])) - set(body)
    assert not missing, f"{ref['$ref']}: {missing} documented as required, not in {body}"


def test_lists_are_documented_as_pages(schema):
    for path in (MAPS, MAPS + "{id}/nodes/{node}/comments/"):
        page = component(schema, answer_schema(schema, path, "get", "200"))
        assert {"count", "next", "previous", "results"} <= set(page["properties"]), path


def test_the_json_export_is_documented_as_an_object(schema):
    content = schema["paths"][MAPS + "{id}/export/"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"]["type"] == "object"


def test_every_answer_has_what_the_schema_requires(schema, world):
    client = APIClient()
    client.force_authenticate(world.host)
    maps = f"/api/v1/teams/{world.team.pk}/mindmaps/"
    mindmap = component(schema, answer_schema(schema, MAPS, "post", "201"))
    assert "node_count" not in mindmap.get("required", [])

    created = client.post(maps, {"title": "Fresh"}, format="json")
    assert created.status_code == 201
    assert_has_required(schema, answer_schema(schema, MAPS, "post", "201"), created.json())

    renamed = client.patch(f"{maps}{created.json()['id']}/", {"title": "Renamed"}, format="json")
    assert renamed.status_code == 200
    ref = answer_schema(schema, MAPS + "{id}/", "patch", "200")
    assert_has_required(schema, ref, renamed.json())

    first, second = world.nodes
    linked = client.post(
        f"{maps}{world.mindmap.pk}/connections/",
        {"source": first.pk, "target": second.pk},
        format="json",
    )
    assert linked.status_code == 201
    snapshot = client.get(f"{maps}{world.mindmap.pk}/").json()
    snapshot_schema = component(schema, answer_schema(schema, MAPS + "{id}/", "get", "200"))
    connection_ref = snapshot_schema["properties"]["connections"]["items"]
    for connection in snapshot["connections"]:
        assert_has_required(schema, connection_ref, connection)
