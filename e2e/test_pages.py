"""Every page, in English and Korean, at 1366 x 768 and 390 x 844: no sideways scroll, no
console error, no failed request, no form control left unstyled, no serious or critical
axe-core violation.

The desktop pass also writes the README's screenshots to ``docs/screenshots/``, and every
pass records axe's findings per page (all impacts) in ``--output``/axe-results.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from support.browser import axe_violations, describe, horizontal_overflow, unstyled_controls
from support.stack import ROOT, Stack

SCREENSHOTS = ROOT / "docs" / "screenshots"

SEED = """
import json
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from teammoa.core import services
from teammoa.mindmap.services import create_mindmap, edit

User = get_user_model()
users = {}
for username, nickname in [("sweeper", "Jisoo"), ("pal", "Daniel")]:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password=None, nickname=nickname
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    users[username] = user
host, pal = users["sweeper"], users["pal"]
team = services.create_team(
    host, title="Moa Studio", password="studio-pass-1",
    introduction="Our capstone team: an app that helps students plan group projects.",
)
services.join_team(pal, team.invite_code, "studio-pass-1")
pal_member = services.membership_of(pal, team.pk)
import datetime
from django.utils import timezone
from teammoa.schedule.services import save_my_week
today = timezone.localdate()
monday = today - datetime.timedelta(days=today.weekday())
year, number, _ = today.isocalendar()
for who, hours, maybe in [(host, range(10, 18), [18, 19]), (pal, range(13, 20), [9, 10])]:
    save_my_week(who, team.pk, {
        "week": f"{year}-W{number:02d}",
        "days": [
            {"date": str(monday + datetime.timedelta(days=d)), "available": list(hours),
             "if_needed": maybe}
            for d in range(5)
        ],
    })
milestone = services.create_milestone(
    host, team.pk, title="Prototype", start_date=today - datetime.timedelta(days=3),
    end_date=today + datetime.timedelta(days=10), priority="high", progress_mode="auto",
)
services.create_milestone(
    host, team.pk, title="User testing", start_date=today + datetime.timedelta(days=11),
    end_date=today + datetime.timedelta(days=20), priority="medium", progress_mode="auto",
)
first = services.create_todo(host, team.pk, "Sketch the main screens", milestone=milestone.pk)
services.create_todo(
    host, team.pk, "Set up the repository", milestone=milestone.pk,
    description="GitHub, CI and the issue labels", due_date=str(today - datetime.timedelta(days=1)),
)
done = services.create_todo(host, team.pk, "Pick a project name")
services.assign_todo(host, team.pk, first.pk, pal_member.pk)
services.complete_todo(host, team.pk, done.pk, True)
post = services.create_post(
    host, team.pk, title="Kick-off notes",
    body="<h2>Decisions</h2><ol><li>Meet on Tuesdays</li><li>Ship a prototype</li></ol>",
    attachment=SimpleUploadedFile("kickoff.txt", b"minutes of the kick-off\\n", "text/plain"),
    attachments=[SimpleUploadedFile("화면 스케치.txt", b"sketches\\n", "text/plain")],
)
services.create_comment(pal, team.pk, post.pk, "Tuesdays work for me.\\nSee you there!")
mindmap = create_mindmap(host, team.pk, "Product ideas")
root = edit(host, mindmap.pk, "node.create", title="Study planner", x=900, y=600).payload["node"]
kids = [
    edit(host, mindmap.pk, "node.create", title=title, x=1200, y=400 + 180 * i).payload["node"]
    for i, title in enumerate(["Shared calendar", "Deadline alerts", "Team chat"])
]
for kid in kids:
    edit(host, mindmap.pk, "connection.create", source=root["id"], target=kid["id"])
edit(host, mindmap.pk, "comment.create", node=root["id"], text="Let's start with this.")
client = Client()
client.force_login(host)
print("@@" + json.dumps({
    "team": team.pk, "milestone": milestone.pk, "post": post.pk, "mindmap": mindmap.pk,
    "session": client.cookies["sessionid"].value, "user": host.pk,
}))
"""


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> dict[str, Any]:
    return stack.script(SEED)


def pages(data: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(name, path, signed in)."""
    team = f"/teams/{data['team']}"
    return [
        ("landing", "/", False),
        ("login", "/accounts/login/", False),
        ("signup", "/accounts/signup/", False),
        ("password-reset", "/accounts/password/reset/", False),
        ("my-teams", "/teams/", True),
        ("create-team", "/teams/new/", True),
        ("join-team", "/teams/join/", True),
        ("profile", "/accounts/profile/", True),
        ("team-home", f"{team}/", True),
        ("team-settings", f"{team}/settings/", True),
        ("milestone", f"{team}/milestones/{data['milestone']}/edit/", True),
        ("schedule", f"{team}/schedule/", True),
        ("mindmaps", f"{team}/mindmaps/", True),
        ("mindmap-editor", f"{team}/mindmaps/{data['mindmap']}/", True),
        ("todo-board", f"{team}/todos/", True),
        ("board", f"{team}/posts/", True),
        ("post", f"{team}/posts/{data['post']}/", True),
        ("write-post", f"{team}/posts/new/", True),
    ]


# The README's screenshots: (page name, file name).
README_SHOTS = {
    "team-home": "team-home",
    "schedule": "schedule",
    "mindmap-editor": "mindmap",
    "todo-board": "todos",
    "post": "post",
}


def _settle(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    if name == "mindmap-editor":
        page.locator("g.mm-node").first.wait_for(state="visible", timeout=10_000)
    # Web fonts, transitions: let the page come to rest before judging it.
    page.evaluate("() => document.fonts.ready.then(() => true)")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_page(browsers, seeded, lang, viewport, request):
    from support.world import Person

    person = Person("sweeper", "Jisoo", seeded["user"], seeded["session"])
    signed_in, monitor_in = browsers.open(person, lang=lang, viewport=viewport)
    anonymous, monitor_out = browsers.open(None, lang=lang, viewport=viewport)
    failures: list[str] = []
    results: dict[str, Any] = {}
    for name, path, needs_login in pages(seeded):
        page, monitor = (signed_in, monitor_in) if needs_login else (anonymous, monitor_out)
        response = page.goto(path)
        assert response is not None
        if response.status != 200:
            failures.append(f"{name}: HTTP {response.status}")
            continue
        _settle(page, name)
        expected_lang = "ko" if lang == "ko" else "en"
        if page.locator("html").get_attribute("lang") != expected_lang:
            failures.append(f"{name}: <html lang> is not {expected_lang}")
        icon = page.locator("link[rel=icon]")
        if icon.count() != 1:
            failures.append(f"{name}: no favicon link")
        overflow = horizontal_overflow(page)
        if overflow > 0:
            failures.append(f"{name}: scrolls sideways by {overflow}px")
        failures += [f"{name}: unstyled control {c}" for c in unstyled_controls(page)]
        violations = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
        results[name] = [
            {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in violations
        ]
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        if bad:
            failures.append(f"{name}: axe\n{describe(bad)}")
        failures += [f"{name}: {problem}" for problem in monitor.take()]
        if viewport == "desktop" and name in README_SHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{README_SHOTS[name]}-{lang}.png"))
    report = Path(request.config.getoption("--output")) / "axe-results.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(report.read_text()) if report.exists() else {}
    existing[f"{lang}-{viewport}"] = results
    report.write_text(json.dumps(existing, indent=2, sort_keys=True))
    assert not failures, "\n".join(failures)
