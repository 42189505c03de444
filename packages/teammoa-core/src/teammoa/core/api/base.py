"""The base views of every TeamMoa REST endpoint, core's and the sibling apps' alike.

Public (``teammoa.core.api``): a sibling app's team-scoped endpoint subclasses
``TeamScopedView`` and so answers exactly as core's do: sign-in required (401 with a
challenge when token authentication is on, else 403), 404 for outsiders before anything
else, domain errors mapped by core's handler whatever the host's ``REST_FRAMEWORK`` says,
no API versioning of the host's applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from rest_framework import parsers, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from teammoa.core import services
from teammoa.core.api.exceptions import exception_handler
from teammoa.core.api.metadata import TeamMoaMetadata
from teammoa.core.api.pagination import TeamMoaPagination
from teammoa.core.api.parsers import JSONParser

# The base classes carry comments, not docstrings: drf-spectacular would show a base
# class's docstring as the description of every endpoint.


class CoreAPIView(GenericAPIView):
    # Signed-in users only. The domain error handler is set here rather than left to
    # REST_FRAMEWORK["EXCEPTION_HANDLER"], so a host project that does not configure it
    # still gets 404/403/409/429.

    permission_classes = [IsAuthenticated]
    pagination_class = TeamMoaPagination
    # The URLs carry /v1/ in the path; a host's DEFAULT_VERSIONING_CLASS must not apply.
    versioning_class = None
    # JSON with bounded nesting (a deep body is a 400, not a RecursionError), then forms.
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    # OPTIONS without DRF's serializer-based "actions" (they need one serializer_class).
    metadata_class = TeamMoaMetadata

    def get_parsers(self) -> list[Any]:
        # Whatever parsers a subclass lists, JSON is parsed with the bounded parser: an
        # endpoint that names DRF's own JSONParser must not bring the RecursionError back.
        return [
            JSONParser() if type(parser) is parsers.JSONParser else parser
            for parser in super().get_parsers()
        ]

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return exception_handler

    def get_authenticate_header(self, request: Request) -> str | None:
        # DRF asks only the first authentication class; with session auth first that
        # turns "not signed in" into a 403. Any class that can challenge (token) makes it
        # a 401, whatever order the host project lists them in.
        for authenticator in self.get_authenticators():
            header = authenticator.authenticate_header(request)
            if header:
                return header
        return None

    def parse(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def paginated(
        self, queryset: QuerySet[Any], serializer_class: type[serializers.Serializer]
    ) -> Response:
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def respond(
        self,
        serializer_class: type[serializers.Serializer],
        instance: Any,
        code: int = status.HTTP_200_OK,
    ) -> Response:
        data = serializer_class(instance, context=self.get_serializer_context()).data
        return Response(data, status=code)


class TeamScopedView(CoreAPIView):
    # A view inside a team: outsiders get 404 before anything else (no existence leak,
    # whatever they send), and plain members get 403 for ``host_methods`` before the body
    # is looked at. The services check the same again; this only fixes the order.

    host_methods: frozenset[str] = frozenset()
    # Read-only methods: the membership read by ``initial`` is the one the service gets.
    reusing_methods = frozenset({"GET", "HEAD", "OPTIONS"})

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method not in self.reusing_methods:
            return super().dispatch(request, *args, **kwargs)
        with services.memberships_reused():
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in self.host_methods:
            services.require_host(request.user, kwargs["team"])
        else:
            services.membership_of(request.user, kwargs["team"])
