import pytest
from hypothesis import settings
from rest_framework.test import APIClient

pytest_plugins = ["teammoa.core.testing.plugin"]

# No example database on disk: runs from an installed wheel leave nothing behind.
settings.register_profile("teammoa", database=None)
settings.load_profile("teammoa")


@pytest.fixture
def as_user():
    """``as_user(user)`` → an API client signed in as ``user`` (``None``: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make
