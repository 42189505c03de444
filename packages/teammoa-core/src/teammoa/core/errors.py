"""Domain errors raised by services; views and consumers translate them in one place."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every rule violation a service reports."""

    code = "error"
    default_message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class NotFound(DomainError):
    code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    code = "forbidden"
    default_message = _("You do not have permission to do this.")


class Conflict(DomainError):
    code = "conflict"
    default_message = _("This conflicts with the current state.")


class Invalid(DomainError):
    """Bad input; ``errors`` maps field names to lists of messages."""

    code = "invalid"
    default_message = _("Invalid input.")

    def __init__(self, errors: dict[str, list[Any]] | None = None, message: Any = None) -> None:
        self.errors = {field: [str(m) for m in msgs] for field, msgs in (errors or {}).items()}
        super().__init__(message)

    @classmethod
    def field(cls, name: str, message: Any) -> Invalid:
        return cls({name: [message]})


class RateLimited(DomainError):
    code = "rate_limited"
    default_message = _("Too many attempts. Try again later.")

    def __init__(self, message: Any = None, retry_after: int | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


def shown_value(value: Any, limit: int = 40) -> str:
    """A value a person sent, fit to quote in an error message: at most ``limit``
    characters, with control characters and lone surrogates escaped (``\\x00``,
    ``\\ud800``) so the answer always encodes as UTF-8 and shows what was sent."""
    try:
        text = value if isinstance(value, str) else repr(value)
    except (ValueError, RecursionError):  # an int past 4,300 digits, a list nested deep
        text = f"<{type(value).__name__}>"
    text = text[:limit]
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
