"""Create the superuser named by ``DJANGO_SUPERUSER_USERNAME`` unless it exists already.

``createsuperuser --noinput`` reads ``DJANGO_SUPERUSER_PASSWORD``, ``_EMAIL`` and
``_NICKNAME``; the e-mail address is marked verified so the account can sign in at once.
Safe to run on every start.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip()
    if not username:
        return 0
    model = get_user_model()
    if model._default_manager.filter(**{model.USERNAME_FIELD: username}).exists():
        print(f"ensure_superuser: {username!r} exists; left unchanged", file=sys.stderr)
        return 0
    if not os.environ.get("DJANGO_SUPERUSER_PASSWORD"):
        print("ensure_superuser: ERROR: set DJANGO_SUPERUSER_PASSWORD too", file=sys.stderr)
        return 1
    call_command("createsuperuser", interactive=False, verbosity=0)
    user = model._default_manager.get(**{model.USERNAME_FIELD: username})
    from django.apps import apps

    if apps.is_installed("allauth.account") and user.email:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    print(f"ensure_superuser: created {username!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
