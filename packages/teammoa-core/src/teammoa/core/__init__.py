"""TeamMoa core: teams, membership, milestones, todos and the team board."""

__version__ = "0.1.0"
