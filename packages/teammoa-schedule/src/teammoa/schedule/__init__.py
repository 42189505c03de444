"""TeamMoa schedule: weekly availability, team heatmap and best common slots."""

__version__ = "0.1.0"
