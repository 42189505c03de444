"""Static files for production: every file, and every ES module import, by its hashed name."""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class HashedStaticFilesStorage(ManifestStaticFilesStorage):
    """``ManifestStaticFilesStorage`` that also rewrites ``import … from "./store.js"``.

    nginx caches static files for a year as immutable (hashed names). Without this, the
    entry module is fetched by its hashed name but its relative imports by their plain
    ones, so after a deploy a browser runs the new page script with a stale module.
    """

    support_js_module_import_aggregation = True
