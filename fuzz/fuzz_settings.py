"""The production settings, with limits sized for a fuzzer instead of a person.

The fuzz session serves the site exactly as production does (``teammoa_site.settings.prod``
through ``deploy/serve.py``); only the per-client limits are raised, so that thousands of
requests a minute from one account exercise the code behind the limits instead of the
429s in front of them. Every limit stays switched on.
"""

from __future__ import annotations

from teammoa_site.settings.prod import *  # noqa: F403

# One socket sends a few hundred frames a second here.
TEAMMOA_MINDMAP_RATE = "5000/s"
TEAMMOA_MINDMAP_VOLATILE_PER_SECOND = 5000
# The REST throttles stay on (Redis-counted, as in production), with room for the fuzzer.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"user": "100000/m", "anon": "100000/m"},
}
