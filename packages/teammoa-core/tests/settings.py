"""Minimal settings: only this app, what it depends on, and a custom user model."""

import os
import tempfile

from teammoa.core.testing.settings import (  # noqa: F401 - settings
    CONTRIB_APPS,
    MIDDLEWARE,
    PASSWORD_HASHERS,
    TEMPLATES,
    caches,
    databases,
)

SECRET_KEY = "teammoa-core-tests"
USE_TZ = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "Korean")]
TIME_ZONE = "Asia/Seoul"
ROOT_URLCONF = "tests.urls"
AUTH_USER_MODEL = "testapp.User"
INSTALLED_APPS = [
    *CONTRIB_APPS,
    "rest_framework",
    "rest_framework.authtoken",
    "django_prose_editor",
    "teammoa.core",
    "tests.testapp",
]
# Pages follow Accept-Language (en, ko).
MIDDLEWARE = [*MIDDLEWARE[:1], "django.middleware.locale.LocaleMiddleware", *MIDDLEWARE[1:]]
DATABASES = databases("teammoa_core")
CACHES = caches("teammoa_core_tests")
STATIC_URL = "/static/"
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), "teammoa-core-tests-media")  # tests use tmp_path
# No EXCEPTION_HANDLER here on purpose: the API views must map domain errors themselves.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
