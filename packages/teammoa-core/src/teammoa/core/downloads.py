"""Member-only attachment downloads: nginx ``X-Accel-Redirect`` when configured, else a
streamed file, always with a safe ``Content-Disposition``."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from teammoa.core.conf import conf
from teammoa.core.errors import NotFound
from teammoa.core.models import PostAttachment
from teammoa.core.services.posts import get_attachment


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact name in RFC 5987 form."""
    fallback = (
        "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename).strip()
        or "attachment"
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _serve(attachment: PostAttachment) -> HttpResponse:
    name = attachment.name or "attachment"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = conf.ATTACHMENT_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix + quote(attachment.file.name)
    else:
        response = FileResponse(attachment.file.open("rb"), content_type=content_type)
        response["Content-Length"] = str(attachment.size or attachment.file.size)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def attachment_download(request: HttpRequest, team: int, post: int) -> HttpResponse:
    """The post's first file (the URL of the single-attachment contract)."""
    try:
        return _serve(get_attachment(request.user, team, post))
    except NotFound:
        raise Http404 from None


@require_safe
@login_required
def file_download(request: HttpRequest, team: int, post: int, file: int) -> HttpResponse:
    """Any one of the post's files."""
    try:
        return _serve(get_attachment(request.user, team, post, file))
    except NotFound:
        raise Http404 from None
