"""Signals other apps listen to (sent after the transaction commits)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent when a user stops being a member of a team (left, removed, or the team was
# disbanded), with ``team_id``, ``user_id`` and ``team_deleted`` (True when the team itself
# is gone: disbanded, or its last member left): open connections must be closed at once.
membership_ended = Signal()
