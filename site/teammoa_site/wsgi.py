"""WSGI entry point: production serves plain HTTP with it (gunicorn, deploy/serve.py).

Proxy headers are believed only from ``TRUSTED_PROXIES`` (``teammoa_site.proxy``), as in
the ASGI entry point.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
django_wsgi_app = get_wsgi_application()

from teammoa_site.proxy import TrustedProxyWSGIMiddleware  # noqa: E402
from teammoa_site.sentry import init_from_settings  # noqa: E402

init_from_settings()
application = TrustedProxyWSGIMiddleware(django_wsgi_app)
