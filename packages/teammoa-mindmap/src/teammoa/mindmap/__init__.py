"""TeamMoa mindmap: a realtime collaborative mindmap over WebSockets."""

__version__ = "0.1.0"
