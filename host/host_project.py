"""Install one TeamMoa app into a fresh Django project the way its README says, and use it.

Run by the ``host`` nox session inside a virtual environment that holds only the app's
wheel, what the README's ``pip install`` line names and their declared dependencies:

    python host/host_project.py core|schedule|mindmap WORKDIR

The snippets are taken from the package README, not copied here: a fenced block that
follows ``<!-- host-test: settings.py -->`` is appended to the project's settings,
``urls.py`` to its root URLconf, ``asgi.py`` replaces the project's ``asgi.py``; the
``pip`` block is read by the nox session. Then the project is migrated and checked, a
server is started (``runserver``, or Daphne for the mindmap), and a page, the API (a read
and a write) and, for the mindmap, a WebSocket are used by a signed-in member.
"""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "mysite"  # the README's snippets name the project package "mysite"
MARKER = re.compile(r"<!-- host-test: (?P<target>[\w.]+) -->\s*\n```\w*\n(?P<code>.*?)\n```", re.S)

SEED = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from teammoa.core.services.teams import create_team

user = get_user_model().objects.create_user("hostuser", "host@example.com", "a-long-password-1")
team = create_team(user, title="Host project team", password="join-pass-123")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
seed = {"team": team.pk, "session": session.session_key}
if EXTRA == "mindmap":
    from teammoa.mindmap.services.mindmaps import create_mindmap

    seed["mindmap"] = create_mindmap(user, team.pk, "Ideas").pk
print("SEED=" + json.dumps(seed))
"""


def readme_snippets(app: str) -> dict[str, str]:
    """The README's marked blocks by target; each target appears at most once."""
    text = (ROOT / "packages" / f"teammoa-{app}" / "README.md").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for match in MARKER.finditer(text):
        target = match["target"]
        if target in found:
            raise SystemExit(f"README of {app}: two blocks marked {target!r}")
        found[target] = match["code"]
    for required in ("pip", "settings.py", "urls.py"):
        if required not in found:
            raise SystemExit(f"README of {app}: no block marked <!-- host-test: {required} -->")
    return found


def pip_requirements(app: str) -> list[str]:
    """What the README's ``pip install`` line installs (for the nox session)."""
    line = readme_snippets(app)["pip"].strip()
    words = shlex.split(line)
    if words[:2] != ["pip", "install"] or len(words) < 3:
        raise SystemExit(f"README of {app}: the pip block is not one `pip install` line: {line}")
    return words[2:]


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    print("+", " ".join(args), flush=True)
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    output = done.stdout + done.stderr
    if done.returncode:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}\n{output}")
    return output


def make_project(app: str, work: Path) -> Path:
    snippets = readme_snippets(app)
    work.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    django_admin = str(Path(python).with_name("django-admin"))
    run(django_admin, "startproject", PROJECT, str(work), cwd=work)
    # A custom user model, as in any serious project (the apps must not assume auth.User).
    run(python, "manage.py", "startapp", "accounts", cwd=work)
    (work / "accounts" / "models.py").write_text(
        "from django.contrib.auth.models import AbstractUser\n\n\n"
        "class User(AbstractUser):\n    pass\n"
    )
    package = work / PROJECT
    with (package / "settings.py").open("a", encoding="utf-8") as settings:
        settings.write('\nINSTALLED_APPS += ["accounts"]\nAUTH_USER_MODEL = "accounts.User"\n')
        settings.write("\n# --- from the README ---\n" + snippets["settings.py"] + "\n")
    with (package / "urls.py").open("a", encoding="utf-8") as urls:
        urls.write("\n# --- from the README ---\n" + snippets["urls.py"] + "\n")
    if "asgi.py" in snippets:
        (package / "asgi.py").write_text(snippets["asgi.py"] + "\n", encoding="utf-8")
    return work


def check_project(work: Path) -> None:
    python = sys.executable
    run(python, "manage.py", "makemigrations", "accounts", cwd=work)
    run(python, "manage.py", "migrate", "--no-input", cwd=work)
    # Nothing of ours may be left for the host to generate (a missing migration, an
    # auto-field that follows the host's DEFAULT_AUTO_FIELD).
    run(python, "manage.py", "makemigrations", "--check", "--dry-run", cwd=work)
    run(python, "manage.py", "check", "--fail-level", "WARNING", cwd=work)
    # check --deploy warns about the host's own development settings; none may be ours.
    done = subprocess.run(
        [python, "manage.py", "check", "--deploy"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    ours = [line for line in (done.stdout + done.stderr).splitlines() if "teammoa" in line]
    if ours:
        raise SystemExit("check --deploy reports the apps:\n" + "\n".join(ours))


def seed(app: str, work: Path) -> dict[str, Any]:
    code = f"import json\nEXTRA = {app!r}\n" + SEED
    output = run(sys.executable, "manage.py", "shell", "-c", code, cwd=work)
    line = next(line for line in output.splitlines() if line.startswith("SEED="))
    return json.loads(line[len("SEED=") :])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(app: str, work: Path, port: int) -> subprocess.Popen[bytes]:
    if app == "mindmap":
        daphne = str(Path(sys.executable).with_name("daphne"))
        command = [daphne, "-b", "127.0.0.1", "-p", str(port), f"{PROJECT}.asgi:application"]
    else:
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, cwd=work)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start listening within 30 s")


class Browser:
    """A signed-in member speaking HTTP to the server, with the session and CSRF cookies."""

    def __init__(self, port: int, session: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = {"sessionid": session}

    def request(
        self, method: str, path: str, body: Any = None, expect: int = 200
    ) -> tuple[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                status, text, cookies = response.status, response.read().decode(), response
        except urllib.error.HTTPError as error:
            status, text, cookies = error.code, error.read().decode(), error
        for header in cookies.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if status != expect:
            raise SystemExit(f"{method} {path}: {status}, expected {expect}\n{text[:2000]}")
        print(f"ok {method} {path} -> {status}", flush=True)
        return text, cookies.headers.get("Content-Type", "")


def use_site(app: str, port: int, data: dict[str, Any]) -> None:
    browser = Browser(port, data["session"])
    team = data["team"]
    page, _ = browser.request("GET", "/teams/")
    assert "Host project team" in page, "my teams page does not list the team"
    browser.request("GET", f"/teams/{team}/")  # team home; sets the CSRF cookie
    teams = json.loads(browser.request("GET", "/api/v1/teams/")[0])
    assert [t["title"] for t in teams["results"]] == ["Host project team"], teams
    milestone = {"title": "Ship", "start_date": "2026-12-01", "end_date": "2026-12-20"}
    created = json.loads(
        browser.request("POST", f"/api/v1/teams/{team}/milestones/", milestone, expect=201)[0]
    )
    assert created["title"] == "Ship", created
    if app == "schedule":
        page, _ = browser.request("GET", f"/teams/{team}/schedule/")
        assert "schedule" in page.lower()
        week = {"days": [{"date": "2026-12-07", "available": [9, 10], "if_needed": []}]}
        browser.request("PUT", f"/api/v1/teams/{team}/schedule/me/?week=2026-W50", week)
        answer = json.loads(
            browser.request("GET", f"/api/v1/teams/{team}/schedule/availability/?week=2026-W50")[0]
        )
        assert answer["days"][0]["free"][9] == 1, answer["days"][0]
    if app == "mindmap":
        mindmap = data["mindmap"]
        browser.request("GET", f"/teams/{team}/mindmaps/{mindmap}/")
        snapshot = json.loads(
            browser.request("GET", f"/api/v1/teams/{team}/mindmaps/{mindmap}/")[0]
        )
        assert snapshot["mindmap"]["title"] == "Ideas", snapshot
        use_socket(port, browser.cookies, mindmap)


def use_socket(port: int, cookies: dict[str, str], mindmap: int) -> None:
    import asyncio

    from websockets.asyncio.client import connect

    async def talk() -> None:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        url = f"ws://127.0.0.1:{port}/ws/mindmaps/{mindmap}/"
        async with connect(
            url, additional_headers=headers, origin=f"http://127.0.0.1:{port}"
        ) as socket_:
            first = json.loads(await asyncio.wait_for(socket_.recv(), 10))
            assert first["type"] == "snapshot", first
            await socket_.send(
                json.dumps({"type": "node.create", "title": "Hi", "x": 10, "y": 20, "req": "1"})
            )
            while True:
                message = json.loads(await asyncio.wait_for(socket_.recv(), 10))
                if message.get("type") == "node.created":
                    assert message["node"]["title"] == "Hi", message
                    break
                assert message.get("type") != "error", message
        print("ok websocket: snapshot, then node.create -> node.created", flush=True)

    asyncio.run(talk())


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in {"core", "schedule", "mindmap"}:
        raise SystemExit("usage: host_project.py core|schedule|mindmap WORKDIR")
    app, work = sys.argv[1], Path(sys.argv[2]).resolve()
    make_project(app, work)
    check_project(work)
    data = seed(app, work)
    port = free_port()
    server = start_server(app, work, port)
    try:
        use_site(app, port, data)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"host project with teammoa-{app}: every step passed", flush=True)


if __name__ == "__main__":
    main()
