"""The mindmap REST API: each view parses the request, calls one service, renders the result.

Changes go through the same services as the WebSocket, so they are validated the same
and broadcast the same to every open editor.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from teammoa.core.api import JSONParser, TeamScopedView
from teammoa.core.errors import Invalid
from teammoa.core.users import Actor
from teammoa.mindmap import exports, services
from teammoa.mindmap.api import serializers as s
from teammoa.mindmap.models import Comment
from teammoa.mindmap.services.editing import comment_data
from teammoa.mindmap.services.mindmaps import node_rows

TAGS = ["mindmaps"]


class MindmapPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _data(request: Request) -> dict[str, Any]:
    """The body as a plain dict; digit strings (form posts) become integers."""
    data = request.data
    if not hasattr(data, "items"):
        raise Invalid.field("detail", _("A JSON object is required."))
    plain = {key: data.get(key) for key in data}
    if not isinstance(data, dict):  # a QueryDict: every value is a string
        for key in ("x", "y", "source", "target"):
            value = plain.get(key)
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                plain[key] = int(value)
    return plain


class MindmapAPIView(TeamScopedView):
    # Core's base (sign-in, 404 for outsiders before anything else, core's error
    # handler); a view under a mindmap also finds it in the member's team.

    pagination_class = MindmapPagination

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if "id" in kwargs:
            self.mindmap = services.get_mindmap(request.user, kwargs["team"], kwargs["id"])


def _node(user: Actor, mindmap_id: int, node_id: int, version: int) -> dict[str, Any]:
    row = next(n for n in node_rows(mindmap_id, user.pk) if n["id"] == node_id)
    return {**row, "version": version}


class MindmapListView(MindmapAPIView):
    # Declared so the schema shows the paginated shape (and its ?page= parameters).
    pagination_class = MindmapPagination

    @extend_schema(
        tags=TAGS, summary="The team's mindmaps", responses=s.MindmapSerializer(many=True)
    )
    def get(self, request: Request, team: int) -> Response:
        return self.paginated(services.mindmaps_of(request.user, team), s.MindmapSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Create a mindmap",
        request=s.MindmapTitleSerializer,
        responses={201: s.MindmapSerializer},
    )
    def post(self, request: Request, team: int) -> Response:
        mindmap = services.create_mindmap(request.user, team, _data(request).get("title"))
        return Response(s.MindmapSerializer(mindmap).data, status=status.HTTP_201_CREATED)


class MindmapDetailView(MindmapAPIView):
    @extend_schema(
        tags=TAGS, summary="The whole mindmap (snapshot)", responses=s.SnapshotSerializer
    )
    def get(self, request: Request, team: int, id: int) -> Response:
        return Response(services.snapshot(request.user, self.mindmap.pk))

    @extend_schema(
        tags=TAGS,
        summary="Rename a mindmap",
        request=s.MindmapTitleSerializer,
        responses=s.MindmapSerializer,
    )
    def patch(self, request: Request, team: int, id: int) -> Response:
        title = _data(request).get("title")
        mindmap = services.rename_mindmap(request.user, team, id, title)
        return Response(s.MindmapSerializer(mindmap).data)

    @extend_schema(tags=TAGS, summary="Delete a mindmap", responses={204: None})
    def delete(self, request: Request, team: int, id: int) -> Response:
        services.delete_mindmap(request.user, team, id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NodeListView(MindmapAPIView):
    @extend_schema(
        tags=TAGS,
        summary="Add a node",
        request=s.NodeCreateSerializer,
        responses={201: s.NodeSerializer},
    )
    def post(self, request: Request, team: int, id: int) -> Response:
        change = services.edit(request.user, self.mindmap.pk, "node.create", **_data(request))
        node = {**change.payload["node"], "version": change.version}
        return Response(node, status=status.HTTP_201_CREATED)


class NodeDetailView(MindmapAPIView):
    @extend_schema(
        tags=TAGS,
        summary="Edit a node (title/content, and/or move it with x and y)",
        request=s.NodeUpdateSerializer,
        responses=s.NodeSerializer,
    )
    def patch(self, request: Request, team: int, id: int, node: int) -> Response:
        data = _data(request)
        text = {k: data[k] for k in ("title", "content") if k in data}
        place = {k: data[k] for k in ("x", "y") if k in data}
        if not text and not place:
            raise Invalid.field("title", _("Send a title, content, or x and y."))
        edits: list[tuple[str, dict[str, Any]]] = []
        if text:
            edits.append(("node.update", {"node": node, **text}))
        if place:
            edits.append(("node.move", {"node": node, "x": None, "y": None, **place}))
        # One edit: a bad x must not leave the new title committed and broadcast.
        changes = services.edit_many(request.user, self.mindmap.pk, edits)
        return Response(_node(request.user, self.mindmap.pk, node, changes[-1].version))

    @extend_schema(tags=TAGS, summary="Delete a node and its links", responses={204: None})
    def delete(self, request: Request, team: int, id: int, node: int) -> Response:
        services.edit(request.user, self.mindmap.pk, "node.delete", node=node)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectionListView(MindmapAPIView):
    @extend_schema(
        tags=TAGS,
        summary="Connect two nodes",
        request=s.ConnectionSerializer,
        responses={201: s.ConnectionSerializer},
    )
    def post(self, request: Request, team: int, id: int) -> Response:
        data = _data(request)
        change = services.edit(
            request.user,
            self.mindmap.pk,
            "connection.create",
            source=data.get("source"),
            target=data.get("target"),
        )
        body = {**change.payload["connection"], "version": change.version}
        return Response(body, status=status.HTTP_201_CREATED)


class ConnectionDetailView(MindmapAPIView):
    @extend_schema(tags=TAGS, summary="Remove a connection", responses={204: None})
    def delete(self, request: Request, team: int, id: int, connection: int) -> Response:
        services.edit(request.user, self.mindmap.pk, "connection.delete", connection=connection)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentListView(MindmapAPIView):
    pagination_class = MindmapPagination

    @extend_schema(tags=TAGS, summary="A node's comments", responses=s.CommentSerializer(many=True))
    def get(self, request: Request, team: int, id: int, node: int) -> Response:
        if not self.mindmap.nodes.filter(pk=node).exists():
            from teammoa.core.errors import NotFound

            raise NotFound(_("No such node in this mindmap."))
        comments = Comment.objects.filter(node_id=node).select_related("author__user")
        return self.paginated(
            comments, lambda page, many, context: _Rendered([comment_data(c) for c in page])
        )

    @extend_schema(
        tags=TAGS,
        summary="Comment on a node",
        request=s.CommentSerializer,
        responses={201: s.CommentSerializer},
    )
    def post(self, request: Request, team: int, id: int, node: int) -> Response:
        text = _data(request).get("text")
        change = services.edit(
            request.user, self.mindmap.pk, "comment.create", node=node, text=text
        )
        return Response(change.payload["comment"], status=status.HTTP_201_CREATED)


class _Rendered:
    def __init__(self, data: list[dict[str, Any]]) -> None:
        self.data = data


class RecommendView(MindmapAPIView):
    @extend_schema(
        tags=TAGS,
        summary="Recommend a node, or take it back (a toggle)",
        request=None,
        responses=s.RecommendationSerializer,
    )
    def post(self, request: Request, team: int, id: int, node: int) -> Response:
        change = services.edit(request.user, self.mindmap.pk, "node.recommend", node=node)
        payload = change.payload
        return Response(
            {
                "node": node,
                "count": payload["count"],
                "on": payload["on"],
                "version": change.version,
            }
        )


class ExportView(MindmapAPIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # Here ``?format=`` names the file to export (SPEC section 5), not DRF's renderer;
        # errors are rendered with the first (JSON) renderer.
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    @extend_schema(
        tags=TAGS,
        summary="Download the mindmap",
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=sorted(exports.FORMATS),
                default="json",
                description="json (re-importable), md, opml, mm (FreeMind), svg or png",
            )
        ],
        # The JSON export is a JSON object (a string schema broke it); the rest are files.
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request: Request, team: int, id: int) -> HttpResponse:
        fmt = request.query_params.get("format", "json")
        if fmt not in exports.FORMATS:
            raise Invalid.field("format", _("One of: %(f)s.") % {"f": ", ".join(exports.FORMATS)})
        return export_response(self.mindmap, fmt)


def export_response(mindmap: Any, fmt: str) -> HttpResponse:
    content, content_type, name = exports.export_mindmap(mindmap, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


class ImportView(MindmapAPIView):
    # Core's JSON parser: a body nested 100,000 brackets deep is a 400, not a 500.
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="Import a JSON export as a new mindmap",
        request={
            "multipart/form-data": s.ImportSerializer,
            "application/json": OpenApiTypes.OBJECT,
        },
        responses={201: s.MindmapSerializer},
    )
    def post(self, request: Request, team: int) -> Response:
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        if upload is not None:
            raw: Any = exports.importing.read_upload(upload)
            title = request.data.get("title")
        elif isinstance(request.data, dict) and request.data.get("format"):
            raw, title = request.data, None
        else:
            raise Invalid.field("file", _("Upload a JSON export as 'file'."))
        mindmap = exports.import_mindmap(request.user, team, raw, title=title)
        mindmap.node_count = mindmap.nodes.count()
        return Response(s.MindmapSerializer(mindmap).data, status=status.HTTP_201_CREATED)
