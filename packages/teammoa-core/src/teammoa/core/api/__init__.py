"""The core REST API (DRF): teams, members, milestones, todos and posts."""
