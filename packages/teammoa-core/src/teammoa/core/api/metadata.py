"""What ``OPTIONS`` answers on the TeamMoa API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.metadata import SimpleMetadata

if TYPE_CHECKING:  # DRF's views import the metadata class named in its settings
    from rest_framework.request import Request
    from rest_framework.views import APIView


class TeamMoaMetadata(SimpleMetadata):
    """Name, description, media types and allowed methods, without DRF's ``actions``.

    DRF describes a view's POST/PUT body from its ``serializer_class``; TeamMoa's views
    parse a different serializer per method (declared for the OpenAPI schema with
    ``extend_schema``), so DRF's description raised an AssertionError and every
    ``OPTIONS`` on them was a 500. The request bodies are documented at ``/api/schema/``.
    """

    def determine_metadata(self, request: Request, view: APIView) -> dict[str, Any]:
        metadata = {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "allowed_methods": view.allowed_methods,
        }
        return metadata
