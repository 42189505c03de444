"""WSGI entry point, for serving plain HTTP with a WSGI server if the benchmarks favour it."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
application = get_wsgi_application()
