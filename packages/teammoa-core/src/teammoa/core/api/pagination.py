"""Page-number pagination for the core API; junk ``?page=`` values are a 400, not a 404."""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class FirstPagePaginator(Paginator):
    """Django's paginator without the ``COUNT(*)`` when everything fits on the first page.

    Most lists (a user's teams, a team's todos) are shorter than a page: page 1 is read
    with one row more than it holds, and when that extra row is not there the count is
    the rows read. Longer lists add Django's ``COUNT(*)``; other pages are Django's.
    """

    def page(self, number: Any) -> Page:
        if number in (1, "1") and "count" not in self.__dict__:
            limit = self.per_page + self.orphans
            rows = list(self.object_list[: limit + 1])
            if len(rows) <= limit and (rows or self.allow_empty_first_page):
                self.__dict__["count"] = len(rows)  # Paginator.count is a cached_property
                return self._get_page(rows, 1, self)
            # Longer than a page: page 1 is the first per_page rows (more than ``orphans``
            # follow); only the count is left to ask.
            self.count  # noqa: B018 - one COUNT(*), cached
            return self._get_page(rows[: self.per_page], 1, self)
        return super().page(number)


class TeamMoaPagination(PageNumberPagination):
    """``?page=`` (1, 2, … or ``last``) and ``?page_size=`` (up to ``max_page_size``)."""

    django_paginator_class = FirstPagePaginator
    page_size = 50
    page_size_query_param: str | None = "page_size"
    max_page_size = 200

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self._check_params(request)
        return super().paginate_queryset(queryset, request, view)

    def _check_params(self, request: Request) -> None:
        errors: dict[str, list[str]] = {}
        page = request.query_params.get(self.page_query_param)
        if page is not None and page not in self.last_page_strings and not _positive(page):
            errors[self.page_query_param] = [_("A page number (1, 2, …) is required.")]
        if self.page_size_query_param:
            size = request.query_params.get(self.page_size_query_param)
            if size is not None and not _positive(size):
                errors[self.page_size_query_param] = [
                    _("A page size from 1 to %(max)d is required.") % {"max": self.max_page_size}
                ]
        if errors:
            raise ValidationError(errors)


class PostPagination(TeamMoaPagination):
    """The team board shows 10 posts per page."""

    page_size = 10
    page_size_query_param = None


def _positive(value: str) -> bool:
    return bool(_WHOLE_NUMBER.fullmatch(value)) and int(value) > 0
