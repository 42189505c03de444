"""HTTP benchmark: seed a fresh database, serve the site as production does, load it.

Steps, all bounded and all on 127.0.0.1:

1. drop and create the MariaDB database (``--database-url``; its name must contain
   ``bench``), migrate, ``bench/seed.py`` (issue 10's data shape), sign every user in,
   collect static files;
2. start the app servers (``--server``, ``--instances`` of them, as the production
   containers) and nginx with ``deploy/nginx-site.conf`` made local (TLS on a
   self-signed certificate, the production headers and upstreams);
3. run ``bench/http_mix.py`` with Locust, headless: a short warm-up, then every level
   of ``--levels`` users with no think time for ``--seconds`` each, then ``--rate-users``
   users at ``--rate`` requests per second each (``constant_throughput``);
4. print per level requests/s, p50/p95/p99, failures and the CPU split (the app
   servers, nginx, MariaDB, Redis, Locust, and whatever else ran on the machine), plus the
   server CPU per request; ``--json`` writes the same figures to a file.

Everything it starts is stopped at the end, also on Ctrl-C. MariaDB and Redis are the
shared ones at ``--database-url``/``--redis-url``: their CPU includes other clients'.

    .venv/bin/python bench/run_http.py                      # as production serves
    .venv/bin/python bench/run_http.py --server daphne      # everything on Daphne
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
sys.path.insert(0, str(ROOT / "deploy" / "tests"))

import nginx_config  # noqa: E402 - deploy/tests, the nginx config made local

TICKS = os.sysconf("SC_CLK_TCK")
# "production" is deploy/serve.py as the image runs it (gunicorn for HTTP, Daphne for
# /ws/); "daphne" is serve.py's single-Daphne layout; the others are candidates measured
# with Daphne beside them for /ws/ where they serve WSGI.
SERVERS = ("production", "daphne", "uvicorn", "gunicorn", "granian", "granian-wsgi")
SPLIT = ("production", "gunicorn", "granian-wsgi")


# --- processes and their CPU --------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _tree(pids: list[int], tree: dict[int, list[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(pids)
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(tree.get(pid, []))
    return seen


def _cpu(pid: int) -> int:
    """Clock ticks of user + system time of one process (and its reaped children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    # utime, stime, cutime, cstime are fields 14-17 of stat (index 11-14 after the name).
    return sum(int(value) for value in fields[11:15])


def _named(names: set[str]) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() in names:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def _machine_ticks() -> int:
    """Busy ticks of all CPUs together (everything but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]


@dataclass
class CpuGroups:
    """Which processes count as what; the sets are re-read (workers come and go)."""

    roots: dict[str, list[int]] = field(default_factory=dict)
    names: dict[str, set[str]] = field(
        default_factory=lambda: {
            "mariadb": {"mariadbd", "mysqld"},
            "redis": {"redis-server"},
        }
    )

    def sample(self) -> dict[str, int]:
        tree = _children()
        ticks = {group: sum(map(_cpu, _tree(pids, tree))) for group, pids in self.roots.items()}
        for group, names in self.names.items():
            ticks[group] = sum(map(_cpu, _named(names)))
        ticks["machine"] = _machine_ticks()
        return ticks


# --- set-up -------------------------------------------------------------------------------


def free_ports(count: int, base: int) -> list[int]:
    ports = []
    candidate = base
    while len(ports) < count:
        if base:
            port, candidate = candidate, candidate + 1
        else:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        if port not in ports:
            ports.append(port)
    return ports


def recreate_database(url: str) -> None:
    import MySQLdb

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        sys.exit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    connection = MySQLdb.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 3306,
        user=parsed.username or "root",
        password=parsed.password or "",
    )
    cursor = connection.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def run(cmd: list[str], env: dict[str, str], what: str) -> None:
    started = time.monotonic()
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"{what} failed ({result.returncode})")
    print(f"  {what}: {time.monotonic() - started:.1f}s", flush=True)


def server_commands(
    args: argparse.Namespace, port: int, ws_port: int
) -> list[tuple[list[str], dict[str, str]]]:
    """The processes of one instance (one production container) and their environment."""
    py = sys.executable
    serve = str(ROOT / "deploy" / "serve.py")
    workers, threads = str(args.workers), str(args.threads)
    if args.server == "production":
        return [
            (
                [py, serve],
                {
                    "PORT": str(port),
                    "TEAMMOA_WS_PORT": str(ws_port),
                    "TEAMMOA_SERVER": "gunicorn",
                    "TEAMMOA_HTTP_WORKERS": workers,
                    "TEAMMOA_HTTP_THREADS": threads,
                },
            )
        ]
    if args.server == "daphne":
        return [([py, serve], {"PORT": str(port), "TEAMMOA_SERVER": "daphne"})]
    http = {
        "uvicorn": [
            py, "-m", "uvicorn", "teammoa_site.asgi:application", "--host", "127.0.0.1",
            "--port", str(port), "--workers", workers, "--no-access-log", "--lifespan", "off",
        ],
        "gunicorn": [
            py, "-m", "gunicorn", "teammoa_site.wsgi:application", "--bind",
            f"127.0.0.1:{port}", "--workers", workers, "--threads", threads,
            "--worker-class", "gthread", "--keep-alive", "75",
        ],
        "granian": [
            py, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port",
            str(port), "--workers", workers, "--no-ws", "teammoa_site.asgi:application",
        ],
        "granian-wsgi": [
            py, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port",
            str(port), "--workers", workers, "--blocking-threads", threads,
            "teammoa_site.wsgi:application",
        ],
    }[args.server]  # fmt: skip
    commands = [(http, {"PORT": str(port)})]
    if ws_port != port:
        commands.append(([py, serve, "ws"], {"PORT": str(ws_port)}))
    return commands


def site_conf(http_ports: list[int], ws_ports: list[int], layout: nginx_config.Layout) -> str:
    """deploy/nginx-site.conf made local, each upstream block pointing at our ports."""
    text = nginx_config.SITE_CONF.read_text()

    def upstream(match: re.Match[str]) -> str:
        name, body = match.group(1), match.group(2)
        options = re.search(r"server web\d+:\d+([^;]*);", body)
        extra = options.group(1) if options else ""
        ports = ws_ports if name.endswith("_ws") else http_ports
        lines = "".join(f"    server 127.0.0.1:{port}{extra};\n" for port in ports)
        rest = re.sub(r"\s*server web\d+:\d+[^;]*;", "", body)
        return f"upstream {name} {{\n{lines}{rest.lstrip(chr(10))}}}"

    text, count = re.subn(r"upstream (\w+) \{\n(.*?)\}", upstream, text, flags=re.S)
    if not count:
        sys.exit("no upstream block found in deploy/nginx-site.conf")
    return nginx_config.localise(text, layout, nginx_config.nginx_version())


def wait_http(url: str, timeout: float) -> None:
    import ssl

    context = ssl._create_unverified_context()  # noqa: S323 - our self-signed certificate
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=3, context=context) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"{url} did not answer 200 within {timeout:g}s")
        time.sleep(0.3)


# --- load ---------------------------------------------------------------------------------


def locust_level(
    args: argparse.Namespace,
    url: str,
    manifest: Path,
    users: int,
    seconds: float,
    rate: float,
    scratch: Path,
    cpu: CpuGroups,
    servers: list[subprocess.Popen],
    warmup: bool = False,
) -> dict:
    settle(cpu)
    prefix = scratch / f"locust-{users}-{rate:g}-{int(time.time() * 1000)}"
    env = {**os.environ, "BENCH_MANIFEST": str(manifest), "BENCH_RATE": str(rate)}
    cmd = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "http_mix.py"),
        "--headless", "--host", url, "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{seconds:g}s", "--stop-timeout", "5", "--csv", str(prefix),
        "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    process = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    cpu.roots["locust"] = [process.pid]
    before, started = cpu.sample(), time.monotonic()
    # Sample just before locust exits, so its own ticks are counted.
    last = before
    while process.poll() is None:
        time.sleep(0.5)
        if process.poll() is None:
            last = cpu.sample()
    elapsed = time.monotonic() - started
    after = {**cpu.sample(), "locust": last.get("locust", 0)}
    stderr = process.stderr.read() if process.stderr else ""
    dead = [s.pid for s in servers if s.poll() is not None]
    if dead:
        sys.exit(f"server process(es) {dead} died during the run")
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    total = next((row for row in rows if row["Name"] == "Aggregated"), None)
    if total is None or not int(total["Request Count"]):
        if warmup:
            # Locust writes its CSV once a second; on a busy machine a 5 s warm-up can end
            # before a write that counts anything. The warm-up's figures are not used.
            print("  warm-up: no requests counted yet (busy machine); going on", flush=True)
            return {}
        sys.stderr.write(stderr[-3000:])
        sys.exit("locust made no requests")
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv")))  # noqa: SIM115
    requests = int(total["Request Count"])
    used = {
        group: (after.get(group, 0) - before.get(group, 0)) / TICKS / elapsed for group in after
    }
    ours = sum(value for group, value in used.items() if group != "machine")
    used["other"] = max(0.0, used["machine"] - ours)
    server_seconds = (after["servers"] - before["servers"]) / TICKS
    return {
        "users": users,
        "rate": rate,
        "seconds": seconds,
        "requests": requests,
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "ok_rps": (requests - int(total["Failure Count"])) / seconds,
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "cpu": {group: round(value, 2) for group, value in used.items()},
        "server_ms_per_request": 1000 * server_seconds / max(requests, 1),
        "per_endpoint": {
            row["Name"]: {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
            for row in rows
            if row["Name"] != "Aggregated"
        },
        "failure_kinds": [
            f"{row['Occurrences']}x {row['Name']}: {row['Error'][:120]}" for row in failures
        ],
    }


def settle(cpu: CpuGroups, limit: float = 20) -> None:
    """Wait (at most ``limit`` s) until the servers are idle: a level must not inherit the
    previous level's queue."""
    deadline = time.monotonic() + limit
    previous = cpu.sample()["servers"]
    while time.monotonic() < deadline:
        time.sleep(1)
        current = cpu.sample()["servers"]
        if (current - previous) / TICKS < 0.15:
            return
        previous = current


def show(result: dict) -> None:
    label = f"{result['users']} users" + (
        f" x {result['rate']:g} req/s" if result["rate"] else ", no think time"
    )
    cpu = result["cpu"]
    print(
        f"{label:28} {result['rps']:7.1f} req/s  p50 {result['p50']:5.0f}  p95 {result['p95']:5.0f}"
        f"  p99 {result['p99']:5.0f} ms  failures {result['failures']}/{result['requests']}"
        f"  | CPU (cores) servers {cpu['servers']:.2f} nginx {cpu['nginx']:.2f}"
        f" mariadb {cpu['mariadb']:.2f} redis {cpu['redis']:.2f} locust {cpu['locust']:.2f}"
        f" other {cpu['other']:.2f}  | server {result['server_ms_per_request']:.2f} ms/req",
        flush=True,
    )
    for kind in result["failure_kinds"][:5]:
        print(f"    {kind}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "mysql://root@127.0.0.1:3306/teammoa_bench_http"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    )
    parser.add_argument("--server", choices=SERVERS, default="production")
    parser.add_argument("--instances", type=int, default=2, help="app containers")
    parser.add_argument("--workers", type=int, default=1, help="worker processes per instance")
    parser.add_argument("--threads", type=int, default=8, help="threads per WSGI worker")
    parser.add_argument("--levels", default="20,50,100,150", help="users, no think time")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate-users", type=int, default=150)
    parser.add_argument("--rate", type=float, default=1.0, help="0 skips the fixed-rate level")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--port-base", type=int, default=0, help="first port (0: any free)")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--profile", type=Path, help="py-spy record the servers into DIR")
    parser.add_argument("--keep", type=Path, help="scratch directory (kept)")
    parser.add_argument("--hold", type=float, default=0, help="only serve for N seconds")
    args = parser.parse_args(argv)
    levels = [int(v) for v in args.levels.split(",") if v.strip()]

    scratch = args.keep or Path(tempfile.mkdtemp(prefix="teammoa-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    manifest = scratch / "manifest.json"
    split = args.server in SPLIT
    ports = free_ports(args.instances * (3 if split else 1) + 2, args.port_base)
    http_port, https_port = ports[0], ports[1]
    app_ports = ports[2 : 2 + args.instances]
    ws_ports = ports[2 + args.instances : 2 + 2 * args.instances] if split else app_ports

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "teammoa_site.settings.prod",
        "SECRET_KEY": "bench-only-not-secret-bench-only-not-secret-bench-only",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        "TEAMMOA_DRAIN_FILE": str(scratch / "draining"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SITE), os.environ.get("PYTHONPATH")])),
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
        # Users with no think time are machines: at full speed one would meet the API's
        # per-user throttle (600/m) and count 429s as failures. A rate nobody meets keeps
        # the throttle's cost (its Redis round trips) in the figures.
        "API_USER_RATE": os.environ.get("BENCH_API_USER_RATE", "1000000/m"),
    }
    if args.server in ("gunicorn", "granian-wsgi"):
        # Bounded threads, so persistent connections stay bounded too (serve.py sets this
        # itself for its gunicorn; its Daphne, like any ASGI server, forces 0).
        env["DATABASE_CONN_MAX_AGE"] = os.environ.get("BENCH_CONN_MAX_AGE", "300")
    print(f"scratch {scratch}", flush=True)
    started_all = time.monotonic()
    if not args.reuse or not manifest.exists():
        print("preparing", flush=True)
        recreate_database(args.database_url)
        flush_redis(args.redis_url)
        manage = [sys.executable, str(SITE / "manage.py")]
        run([*manage, "migrate", "--noinput", "-v0"], env, "migrate")
        run([*manage, "collectstatic", "--noinput", "-v0", "--clear"], env, "collectstatic")
        run(
            [sys.executable, str(ROOT / "bench" / "seed.py"), "all", "--manifest", str(manifest)],
            env,
            "seed + sign-in",
        )
    (scratch / "media").mkdir(exist_ok=True)
    # A stopped Daphne leaves its drain file behind; other servers would report draining.
    (scratch / "draining").unlink(missing_ok=True)

    processes: list[subprocess.Popen] = []
    nginx: subprocess.Popen | None = None
    logs = open(scratch / "servers.log", "ab")  # noqa: SIM115
    try:
        for index in range(args.instances):
            for command, extra in server_commands(args, app_ports[index], ws_ports[index]):
                processes.append(
                    subprocess.Popen(
                        command,
                        env={**env, **extra, "TEAMMOA_BIND": "127.0.0.1"},
                        cwd=SITE,
                        stdout=logs,
                        stderr=logs,
                        start_new_session=True,
                    )
                )
        layout = nginx_config.Layout(
            scratch / "nginx", http_port, https_port, app_ports, scratch / "static",
            scratch / "media",
        )  # fmt: skip
        nginx_conf = nginx_config.write_config(
            layout, rendered=site_conf(app_ports, ws_ports, layout), workers=2
        )
        nginx = subprocess.Popen(
            nginx_config.nginx_command(nginx_conf, "-g", "daemon off;"),
            stdout=logs,
            stderr=logs,
            start_new_session=True,
        )
        url = f"https://127.0.0.1:{https_port}"
        for port in sorted(set(app_ports) | set(ws_ports)):
            wait_http(f"http://127.0.0.1:{port}/health/live/", 60)
        wait_http(f"{url}/health/", 30)
        cpu = CpuGroups(roots={"servers": [p.pid for p in processes], "nginx": [nginx.pid]})
        spy = []
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        print(
            f"serving: {args.server} x {args.instances} instance(s), {args.workers} worker(s)"
            + (f" x {args.threads} threads" if split or args.server == "granian-wsgi" else "")
            + (", Daphne for /ws/" if split else "")
            + f"; nginx on {url}",
            flush=True,
        )
        if args.hold:
            print(f"holding for {args.hold:g}s", flush=True)
            time.sleep(args.hold)
            return 0
        if args.warmup:
            locust_level(
                args, url, manifest, 20, args.warmup, 0, scratch, cpu, processes, warmup=True
            )
        results = []
        for users in levels:
            if args.profile and users == max(levels):
                spy = start_profiles(args.profile, processes, args.seconds, users)
            results.append(
                locust_level(args, url, manifest, users, args.seconds, 0, scratch, cpu, processes)
            )
            show(results[-1])
        if args.rate:
            results.append(
                locust_level(
                    args, url, manifest, args.rate_users, args.seconds, args.rate, scratch, cpu,
                    processes,
                )
            )  # fmt: skip
            show(results[-1])
        for process in spy:
            process.wait(timeout=60)
        print(f"done in {time.monotonic() - started_all:.0f}s", flush=True)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "server": args.server,
                        "instances": args.instances,
                        "workers": args.workers,
                        "threads": args.threads,
                        "results": results,
                    },
                    indent=2,
                )
            )
        return 0
    finally:
        stop_all([*processes, *([nginx] if nginx else [])])
        logs.close()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


def start_profiles(
    directory: Path, processes: list[subprocess.Popen], seconds: float, users: int
) -> list[subprocess.Popen]:
    """py-spy record every server process (workers included) during one level."""
    tree = _children()
    pids = sorted(_tree([p.pid for p in processes], tree))
    spies = []
    for pid in pids:
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if not comm.startswith(("python", "granian", "gunicorn", "uvicorn")):
            continue
        out = directory / f"profile-{users}-{pid}.txt"
        spies.append(
            subprocess.Popen(
                [
                    shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--pid",
                    str(pid),
                    "--duration",
                    str(int(seconds)),
                    "--rate",
                    "50",
                    "--format",
                    "raw",
                    "--output",
                    str(out),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return spies


def stop_all(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
