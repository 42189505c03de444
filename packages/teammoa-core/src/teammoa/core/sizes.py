"""File sizes as every page and message shows them: one style of unit whatever the size or
the language ("17 B", "50.3 KB", "10.0 MB"), where Django's ``filesizeformat`` mixes words
and symbols ("17 bytes" beside "50.3 KB"; in Korean "17 바이트" beside "50.3 KB").

Part of core's public surface: templates use the ``file_size`` filter of
``{% load teammoa_core %}``; messages call :func:`file_size_text`. The post form's script
writes the same units (KB and MB of 1024).
"""

from __future__ import annotations

from django.utils import formats

__all__ = ["file_size_text"]

_UNITS = ("KB", "MB", "GB", "TB")


def file_size_text(size: int | None) -> str:
    """``size`` bytes as "17 B" below a kilobyte, else with one decimal in the largest unit
    of 1024 that keeps the number at least 1: "50.3 KB", "10.0 MB"."""
    value = float(max(int(size or 0), 0))
    if value < 1024:
        return f"{int(value)} B"
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            break
    # number_format cuts digits off; rounded first, 51507 bytes are 50.3 KB, not 50.2.
    return f"{formats.number_format(round(value, 1), 1)} {unit}"
