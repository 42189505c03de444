"""Settings family: ``base`` (shared, from the environment), ``dev``, ``prod`` and ``test``."""
