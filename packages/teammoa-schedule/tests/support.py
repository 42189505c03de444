"""Shared test code: API paths and a snapshot of the schedule tables."""

from __future__ import annotations

from rest_framework.test import APIClient

from teammoa.schedule.models import DayAvailability, UsualDay


def client_of(user) -> APIClient:
    """An API client signed in as ``user``."""
    client = APIClient()
    client.force_login(user)
    return client


def url(team_id: int, path: str) -> str:
    return f"/api/v1/teams/{team_id}/schedule/{path}"


def snapshot() -> list[tuple]:
    """Everything stored by the schedule app, to assert that a bad request changed nothing."""
    days = DayAvailability.objects.order_by("membership_id", "date").values_list(
        "membership_id", "date", "available_hours", "if_needed_hours"
    )
    usual = UsualDay.objects.order_by("membership_id", "weekday").values_list(
        "membership_id", "weekday", "available_hours", "if_needed_hours"
    )
    return [*days, *usual]


def day(date: str, available=(), if_needed=()) -> dict:
    return {"date": date, "available": list(available), "if_needed": list(if_needed)}
