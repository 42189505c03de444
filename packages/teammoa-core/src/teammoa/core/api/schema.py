"""OpenAPI helpers shared by the TeamMoa APIs: one documented shape for error responses.

The sibling apps use ``error_responses`` too, so every endpoint documents its errors alike
and drf-spectacular sees one ``Error`` component, not several with the same name.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: "Invalid input: field errors ({field: [messages]}) or {detail}.",
    401: "Not signed in.",
    403: "Not allowed for your role in this team.",
    404: "No such team for you (non-members get 404), or no such object.",
    409: "Conflicts with the current state.",
    429: "Too many attempts; see Retry-After.",
}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """``responses`` entries for ``extend_schema``: 400 is field errors or a detail, the
    others ``{"detail": ...}``."""
    return {
        code: OpenApiResponse(
            response=OpenApiTypes.OBJECT if code == 400 else ErrorSerializer,
            description=ERROR_DESCRIPTIONS[code],
        )
        for code in codes
    }


THROTTLED_DESCRIPTION = "Too many requests: the API's rate for you was met; see Retry-After."


def document_throttling(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: a 429 on every operation, when throttled.

    With DRF's ``DEFAULT_THROTTLE_CLASSES`` set, any endpoint may answer 429; the schema
    says so (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``), so a client generated from
    it, or a schema checker, expects it. Operations that document a 429 of their own (the
    join attempts) keep theirs.
    """
    from rest_framework.settings import api_settings

    if not api_settings.DEFAULT_THROTTLE_CLASSES:
        return result
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        },
    )
    response = {
        "description": THROTTLED_DESCRIPTION,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}:
                operation.setdefault("responses", {}).setdefault("429", response)
    return result
