"""One mapping from domain errors to HTTP: the DRF exception handler."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from teammoa.core import errors

STATUS = {
    errors.NotFound: status.HTTP_404_NOT_FOUND,
    errors.Forbidden: status.HTTP_403_FORBIDDEN,
    errors.Conflict: status.HTTP_409_CONFLICT,
    errors.Invalid: status.HTTP_400_BAD_REQUEST,
    errors.RateLimited: status.HTTP_429_TOO_MANY_REQUESTS,
}


def domain_error_response(exc: errors.DomainError) -> Response:
    code = next(
        (value for cls, value in STATUS.items() if isinstance(exc, cls)),
        status.HTTP_400_BAD_REQUEST,
    )
    if isinstance(exc, errors.Invalid) and exc.errors:
        body: dict[str, Any] = dict(exc.errors)
    else:
        body = {"detail": str(exc.message)}
    headers = {}
    if isinstance(exc, errors.RateLimited) and exc.retry_after:
        headers["Retry-After"] = str(exc.retry_after)
    return Response(body, status=code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, errors.DomainError):
        return domain_error_response(exc)
    return drf_exception_handler(exc, context)
