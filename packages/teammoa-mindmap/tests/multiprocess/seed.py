"""Create the database, two members with sessions and a mindmap; print them as JSON."""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.multiprocess.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from teammoa.core.testing.factories import add_member, host_of, make_team, make_user  # noqa: E402
from teammoa.mindmap.models import Mindmap, Node  # noqa: E402

call_command("migrate", verbosity=0)
team = make_team()
# The host, six members, and an outsider last.
people = [host_of(team).user, *(add_member(team).user for _n in range(6)), make_user()]
mindmap = Mindmap.objects.create(team=team, title="Shared")
node = Node.objects.create(mindmap=mindmap, title="Root", x=10, y=10)
sessions = []
for user in people:
    client = Client()
    client.force_login(user)
    sessions.append({"id": user.pk, "session": client.cookies["sessionid"].value})
print(json.dumps({"mindmap": mindmap.pk, "node": node.pk, "users": sessions}))
