"""Minimal settings: only this app, what it depends on, and a custom user model."""

from teammoa.core.testing.settings import (  # noqa: F401 - settings
    CONTRIB_APPS,
    MIDDLEWARE,
    PASSWORD_HASHERS,
    TEMPLATES,
    caches,
    databases,
)

SECRET_KEY = "teammoa-schedule-tests"
USE_TZ = True
TIME_ZONE = "Asia/Seoul"
ROOT_URLCONF = "tests.urls"
AUTH_USER_MODEL = "testapp.User"
INSTALLED_APPS = [
    *CONTRIB_APPS,
    "rest_framework",
    "rest_framework.authtoken",
    "django_prose_editor",
    "teammoa.core",
    "teammoa.schedule",
    "tests.testapp",
]
DATABASES = databases("teammoa_schedule")
CACHES = caches("teammoa_schedule_tests")
STATIC_URL = "/static/"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
