"""One mapping from domain errors to HTTP: the DRF exception handler."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from teammoa.core import errors

_TOO_MANY_REQUESTS = _("Too many requests. Try again later.")

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


def throttled_error(exc: drf_exceptions.Throttled) -> errors.RateLimited:
    """A DRF throttle's refusal as the domain's 429, in the same shape as every other one.

    DRF would answer "Request was throttled." with ``Retry-After`` rounded down (often
    "0"); this rounds up and says when, in the user's language.
    """
    if exc.wait is None:
        return errors.RateLimited(_TOO_MANY_REQUESTS)
    seconds = max(1, math.ceil(exc.wait))
    message = ngettext(
        "Too many requests. Try again in %(seconds)d second.",
        "Too many requests. Try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}
    return errors.RateLimited(message, retry_after=seconds)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, drf_exceptions.Throttled):
        exc = throttled_error(exc)
    if isinstance(exc, errors.DomainError):
        return domain_error_response(exc)
    return drf_exception_handler(exc, context)
