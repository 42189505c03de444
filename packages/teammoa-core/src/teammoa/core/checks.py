"""System checks for the core app's settings (ids ``teammoa_core.E00x``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from teammoa.core.conf import conf, parse_rate


@register(Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    size = conf.ATTACHMENT_MAX_BYTES
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        errors.append(
            Error(
                f"TEAMMOA_ATTACHMENT_MAX_BYTES must be a positive integer, not {size!r}.",
                id="teammoa_core.E001",
            )
        )
    prefix = conf.ATTACHMENT_ACCEL_PREFIX
    if prefix is not None and (
        not isinstance(prefix, str) or not prefix.startswith("/") or not prefix.endswith("/")
    ):
        errors.append(
            Error(
                "TEAMMOA_ATTACHMENT_ACCEL_PREFIX must be None or a path that starts and "
                f"ends with '/', not {prefix!r}.",
                hint="For nginx use an internal location such as '/protected/'.",
                id="teammoa_core.E002",
            )
        )
    try:
        parse_rate(conf.JOIN_ATTEMPTS)
    except ValueError as exc:
        errors.append(Error(f"TEAMMOA_JOIN_ATTEMPTS: {exc}.", id="teammoa_core.E003"))
    return errors
