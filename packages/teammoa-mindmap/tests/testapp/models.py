"""A custom user model, so any stray reference to ``auth.User`` fails the tests."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    nickname = models.CharField(max_length=20, blank=True)
