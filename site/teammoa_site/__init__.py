"""The TeamMoa site: composes teammoa-core, teammoa-schedule and teammoa-mindmap."""
