"""Helpers shared by the API tests."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient


def as_user(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
