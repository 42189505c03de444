"""Minimal settings: only this app, what it depends on, and a custom user model."""

import os
import uuid

from teammoa.core.testing.settings import (  # noqa: F401 - settings
    CONTRIB_APPS,
    MIDDLEWARE,
    PASSWORD_HASHERS,
    TEMPLATES,
    caches,
    channel_layers,
    databases,
)

SECRET_KEY = "teammoa-mindmap-tests"
USE_TZ = True
TIME_ZONE = "Asia/Seoul"
ROOT_URLCONF = "tests.urls"
AUTH_USER_MODEL = "testapp.User"
INSTALLED_APPS = [
    *CONTRIB_APPS,
    "rest_framework",
    "django_prose_editor",
    "teammoa.core",
    "teammoa.mindmap",
    "tests.testapp",
]
DATABASES = databases("teammoa_mindmap")
CACHES = caches("teammoa_mindmap_tests")
CHANNEL_LAYERS = channel_layers("teammoa_mindmap_tests")
STATIC_URL = "/static/"
ALLOWED_HOSTS = ["testserver", "localhost"]
LOGIN_URL = "/login/"
# Presence in the same Redis as the channel layer when the run has one; a prefix of its
# own per run so a crashed earlier run's entries never show up here.
TEAMMOA_MINDMAP_PRESENCE_REDIS_URL = os.environ.get("REDIS_URL") or None
TEAMMOA_MINDMAP_PRESENCE_PREFIX = f"teammoa-mindmap-tests:{uuid.uuid4().hex[:8]}"
TEAMMOA_MINDMAP_GAP_TIMEOUT_SECONDS = 0.3
# drf-spectacular's documented setup: extend_schema on view methods builds on the schema
# class set here when the views are imported (not when a schema is generated).
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
