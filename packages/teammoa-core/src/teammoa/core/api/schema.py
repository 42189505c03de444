"""OpenAPI helpers shared by the TeamMoa APIs: one documented shape for error responses.

The sibling apps use ``error_responses`` too, so every endpoint documents its errors alike
and drf-spectacular sees one ``Error`` component, not several with the same name.
"""

from __future__ import annotations

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
