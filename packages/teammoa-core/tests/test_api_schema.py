"""The OpenAPI schema covers every core endpoint and generates without a warning."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

T = "/api/v1/teams/{team}/"
EXPECTED = {
    "/api/v1/teams/": {"get", "post"},
    "/api/v1/teams/join/": {"post"},
    "/api/v1/teams/join-link/": {"post"},
    T: {"get", "patch", "delete"},
    f"{T}leave/": {"post"},
    f"{T}transfer-host/": {"post"},
    f"{T}invite-code/": {"post"},
    f"{T}invite-link/": {"get"},
    f"{T}members/": {"get"},
    f"{T}members/{{member}}/": {"delete"},
    f"{T}milestones/": {"get", "post"},
    f"{T}milestones/{{id}}/": {"get", "patch", "delete"},
    f"{T}todos/": {"get", "post"},
    f"{T}todos/{{id}}/": {"get", "patch", "delete"},
    f"{T}todos/{{id}}/assign/": {"post"},
    f"{T}todos/{{id}}/complete/": {"post"},
    f"{T}todos/{{id}}/move/": {"post"},
    f"{T}posts/": {"get", "post"},
    f"{T}posts/{{id}}/": {"get", "patch", "delete"},
    f"{T}posts/{{id}}/comments/": {"get", "post"},
    f"{T}posts/{{id}}/comments/{{comment}}/": {"patch", "delete"},
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    GENERATOR_STATS.reset()
    generated = SchemaGenerator().get_schema(request=None, public=True)
    warned = bool(GENERATOR_STATS)
    GENERATOR_STATS.reset()
    assert not warned, "drf-spectacular warned while generating the schema (see stderr)"
    return generated


def test_schema_is_valid_openapi(schema: dict[str, Any]) -> None:
    validate_schema(schema)


def test_every_endpoint_is_documented(schema: dict[str, Any]) -> None:
    methods = {"get", "post", "put", "patch", "delete"}
    documented = {
        path: {m for m in operations if m in methods}
        for path, operations in schema["paths"].items()
    }
    assert documented == EXPECTED


def test_the_shapes_are_documented(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]

    def props(name: str) -> set[str]:
        return set(components[name]["properties"])

    assert props("Team") == {
        "id",
        "title",
        "introduction",
        "max_members",
        "member_count",
        "invite_code",
        "timezone",
        "my_role",
        "created_at",
    }
    assert props("Member") == {"id", "user", "role", "joined_at"}
    assert props("MemberUser") == {"id", "username", "nickname"}
    assert {"status", "progress", "progress_mode", "completed_at"} <= props("Milestone")
    assert props("Todo") == {
        "id",
        "content",
        "description",
        "due_date",
        "assignee",
        "milestone",
        "is_completed",
        "completed_at",
        "order",
        "created_at",
    }
    assert props("Attachment") == {"name", "size", "url"}
    assert props("PostFile") == {"id", "name", "size", "url"}
    assert {"attachment", "attachments"} <= props("Post")
    assert props("PostComment") == {"id", "post", "text", "author", "created_at", "updated_at"}
    assert components["TeamCreate"]["properties"]["password"]["writeOnly"] is True


def test_lists_are_paginated_and_filters_documented(schema: dict[str, Any]) -> None:
    todo_list = schema["paths"][f"{T}todos/"]["get"]
    params = {p["name"] for p in todo_list["parameters"]}
    assert {"assignee", "done", "milestone", "page", "page_size"} <= params
    post_list = schema["paths"][f"{T}posts/"]["get"]
    assert {"q", "page"} <= {p["name"] for p in post_list["parameters"]}
    ref = post_list["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/PaginatedPostList")
    create_post = schema["paths"][f"{T}posts/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in create_post


def test_both_authentication_schemes_are_documented(schema: dict[str, Any]) -> None:
    security = schema["paths"]["/api/v1/teams/"]["get"]["security"]
    assert {"cookieAuth": []} in security
    assert {"tokenAuth": []} in security
