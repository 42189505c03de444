"""Helpers for the account tests: users, logins and reading the rendered forms."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from teammoa_site.accounts.models import User

PASSWORD = "quiet-harbour-lantern-42"
NEW_PASSWORD = "velvet-compass-orbit-77"


def make_user(
    username: str = "alice",
    email: str | None = "alice@example.com",
    *,
    password: str | None = PASSWORD,
    nickname: str = "Alice",
    verified: bool = True,
    **extra: object,
) -> User:
    """A user as sign-up leaves it, with the e-mail confirmed unless ``verified=False``."""
    user = get_user_model().objects.create_user(
        username=username, email=email, password=password, nickname=nickname, **extra
    )
    if email:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def log_in(client: Client, login: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def link_in_last_mail(path_prefix: str) -> str:
    """The path of the first link in the newest e-mail that starts with ``path_prefix``."""
    assert mail.outbox, "no e-mail was sent"
    body = mail.outbox[-1].body
    match = re.search(r"https?://testserver(" + re.escape(path_prefix) + r"\S*)", body)
    assert match, f"no {path_prefix} link in:\n{body}"
    return match.group(1)


class _Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[_Node] = []
        self.text_parts: list[str] = []

    @property
    def text(self) -> str:
        parts = [*self.text_parts]
        for child in self.children:
            parts.append(child.text)
        return " ".join(" ".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(_Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.text_parts.append(data)


class Page:
    """A rendered page, queried the way a test reads it: by id, tag and class."""

    def __init__(self, html: str | bytes) -> None:
        if isinstance(html, bytes):
            html = html.decode()
        builder = _TreeBuilder()
        builder.feed(html)
        builder.close()
        self.root = builder.root

    def by_id(self, element_id: str) -> _Node | None:
        return next((n for n in self.root.iter() if n.attrs.get("id") == element_id), None)

    def find_all(self, tag: str, **attrs: str) -> list[_Node]:
        return [
            n
            for n in self.root.iter()
            if n.tag == tag and all(n.attrs.get(k) == v for k, v in attrs.items())
        ]

    def with_class(self, css_class: str) -> list[_Node]:
        return [n for n in self.root.iter() if css_class in n.classes()]

    def field_error(self, name: str) -> str:
        """The errors shown beside form field ``name``; fails if they are not beside it.

        "Beside" means: the input says it is invalid, points at the error list with
        ``aria-describedby``, and the list sits in the same ``.field`` block as the input.
        """
        control = self.by_id(f"id_{name}")
        assert control is not None, f"no field id_{name}"
        errors = self.by_id(f"id_{name}_error")
        assert errors is not None, f"no errors shown for {name}"
        assert control.attrs.get("aria-invalid") == "true", control.attrs
        assert f"id_{name}_error" in control.attrs.get("aria-describedby", "").split()
        block = control.parent
        while block is not None and not (
            "field" in block.classes() and any(n is errors for n in block.iter())
        ):
            block = block.parent
        assert block is not None, f"the errors for {name} are not in the field's block"
        return errors.text

    def alert_text(self) -> str:
        alerts = [n for n in self.root.iter() if n.attrs.get("role") == "alert"]
        return " ".join(a.text for a in alerts)

    def unlabelled_controls(self) -> list[str]:
        """Ids (or names) of visible form controls that no <label> or legend names."""
        labelled = {n.attrs.get("for") for n in self.find_all("label")}
        missing = []
        for node in self.root.iter():
            if node.tag not in {"input", "select", "textarea"}:
                continue
            if node.attrs.get("type") in {"hidden", "submit", "button"}:
                continue
            ancestor = node.parent
            inside_label = False
            while ancestor is not None:
                if ancestor.tag == "label":
                    inside_label = True
                ancestor = ancestor.parent
            if inside_label or node.attrs.get("aria-label"):
                continue
            if node.attrs.get("id") not in labelled:
                missing.append(node.attrs.get("id") or node.attrs.get("name", "?"))
        return missing
