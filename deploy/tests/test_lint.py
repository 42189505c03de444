"""The linters the deploy session runs catch real mistakes (each shown on a known-bad copy),
and the production files keep the promises SPEC section 8 makes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import nginx_config
from tests.support import ROOT, require

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    require(path is not None, f"{name} is not installed")
    return str(path)


def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, check=False)


def broken_copy(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text()
    assert old in text, f"{source.name} no longer contains {old!r}"
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new, 1))
    return copy


# --- each linter passes the real file and fails a broken copy ------------------------------


def test_hadolint_passes_the_dockerfile():
    result = run(tool("hadolint"), str(ROOT / "Dockerfile"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("USER ${APP_UID}:${APP_UID}", "USER root", "DL3002"),
        ("install -y --no-install-recommends libmariadb3", "install -y libmariadb3", "DL3015"),
        ('CMD ["serve"]', "CMD serve\nCMD serve", "DL4003"),
    ],
)
def test_hadolint_fails_a_broken_dockerfile(tmp_path, old, new, rule):
    copy = broken_copy(tmp_path, ROOT / "Dockerfile", old, new)
    result = run(tool("hadolint"), str(copy))
    assert result.returncode != 0
    assert rule in result.stdout


WORKFLOW = ROOT / ".github" / "workflows" / "ci-cd.yml"


def test_actionlint_passes_the_workflow():
    tool("shellcheck")
    result = run(tool("actionlint"), str(WORKFLOW))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("needs.build.outputs.tag", "needs.biuld.outputs.tag", "biuld"),
        ("github.event_name == 'pull_request'", "github.event_name == ", "expression"),
        (
            "run: deploy/rolling_deploy.sh",
            "run: cd deploy; rm -rf $TMP/; deploy/rolling_deploy.sh",
            "SC2086",
        ),
    ],
)
def test_actionlint_fails_a_broken_workflow(tmp_path, old, new, message):
    tool("shellcheck")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    copy = broken_copy(workflows, WORKFLOW, old, new)
    result = run(tool("actionlint"), str(copy), cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stdout


def test_nginx_accepts_the_site_config():
    tool("nginx")
    result = nginx_config.check()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("proxy_read_timeout 1h;", "proxy_read_timeout 1h"),
        ("client_max_body_size 12m;", "client_max_body_size twelve;"),
        (
            "proxy_pass http://teammoa_http;\n    }\n}",
            "proxy_pass http://no_such_upstream;\n    }\n}",
        ),
        ("internal;", "internal yes;"),
    ],
)
def test_nginx_rejects_a_broken_directive(tmp_path, old, new):
    tool("nginx")
    copy = broken_copy(tmp_path, nginx_config.SITE_CONF, old, new)
    result = nginx_config.check(copy)
    assert result.returncode != 0
    assert "emerg" in result.stderr


@pytest.mark.parametrize("script", sorted((ROOT / "deploy").glob("*.sh")), ids=lambda p: p.name)
def test_shellcheck_passes_every_script_and_each_is_executable(script):
    result = run(tool("shellcheck"), str(script))
    assert result.returncode == 0, result.stdout
    assert os.access(script, os.X_OK), f"{script.name} must be executable (git mode 755)"


def test_shellcheck_fails_a_broken_script(tmp_path):
    copy = broken_copy(
        tmp_path, ROOT / "deploy" / "backup.sh", 'mkdir -p "$BACKUP_DIR"', "mkdir -p $BACKUP_DIR"
    )
    result = run(tool("shellcheck"), str(copy))
    assert result.returncode != 0
    assert "SC2086" in result.stdout


COMPOSE_FILES = [ROOT / "docker-compose.yml", ROOT / "docker-compose.prod.yml"]


def check_compose_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path))


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_compose_files_follow_the_compose_specification(path):
    result = check_compose_schema(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            '    restart: unless-stopped\n    healthcheck:\n      test: ["CMD", "redis-cli"',
            '    restart: [unless-stopped]\n    healthcheck:\n      test: ["CMD", "redis-cli"',
        ),
        (
            "      retries: 10\n      start_period: 60s",
            "      retries: 10\n      start_periode: 60s",
        ),
    ],
)
def test_compose_schema_rejects_a_broken_file(tmp_path, old, new):
    copy = broken_copy(tmp_path, ROOT / "docker-compose.prod.yml", old, new)
    assert check_compose_schema(copy).returncode != 0


def test_docker_compose_config_rejects_a_broken_file(tmp_path):
    compose = tool("docker-compose")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    good = tmp_path / "good.yml"
    good.write_text((ROOT / "docker-compose.prod.yml").read_text())
    assert run(compose, "-f", str(good), "config", "--quiet").returncode == 0
    bad = broken_copy(
        tmp_path,
        ROOT / "docker-compose.prod.yml",
        "condition: service_healthy",
        "condition: service_happy",
    )
    assert run(compose, "-f", str(bad), "config", "--quiet").returncode != 0


# --- promises of SPEC section 8 -----------------------------------------------------------


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_production_compose_keeps_database_and_redis_private():
    compose = load(ROOT / "docker-compose.prod.yml")
    services = compose["services"]
    assert compose["networks"]["backend"]["internal"] is True
    for name in ("db", "redis"):
        assert "ports" not in services[name], name
        assert services[name]["networks"] == ["backend"]
    assert set(services["nginx"]["ports"]) == {"80:80", "443:443"}
    assert all("ports" not in services[name] for name in ("web1", "web2"))
    for name, service in services.items():
        if name != "certbot":
            assert service["restart"] == "unless-stopped", name
            assert "healthcheck" in service, name


def test_the_app_servers_believe_proxy_headers_from_nginx_only():
    """serve.py drops X-Forwarded-* except from TRUSTED_PROXIES: nginx's fixed address."""
    import ipaddress

    compose = load(ROOT / "docker-compose.prod.yml")
    nginx = ipaddress.ip_address(
        compose["services"]["nginx"]["networks"]["frontend"]["ipv4_address"]
    )
    subnet = compose["networks"]["frontend"]["ipam"]["config"][0]["subnet"]
    assert nginx in ipaddress.ip_network(subnet)
    for name in ("web1", "web2"):
        value = compose["services"][name]["environment"]["TRUSTED_PROXIES"]
        default = re.fullmatch(r"\$\{TRUSTED_PROXIES:-(.+)\}", value).group(1)
        trusted = [ipaddress.ip_network(entry, strict=False) for entry in default.split(",")]
        assert any(nginx in network for network in trusted), name
        # Nobody else on the frontend network (certbot, the other app server) is trusted.
        assert not any(
            network.overlaps(ipaddress.ip_network(subnet)) and network.num_addresses > 1
            for network in trusted
        ), name


def test_production_compose_runs_one_migrating_instance_of_a_variable_tag():
    services = load(ROOT / "docker-compose.prod.yml")["services"]
    assert "${TEAMMOA_TAG" in services["web1"]["image"]
    assert services["web1"]["image"] == services["web2"]["image"]
    assert services["web1"]["environment"]["RUN_MIGRATIONS"] == "1"
    assert services["web2"]["environment"]["RUN_MIGRATIONS"] == "0"
    assert services["web2"]["environment"]["COLLECTSTATIC"] == "0"
    assert services["web1"]["read_only"] is True
    assert services["web1"]["stop_grace_period"] == "30s"


def test_secrets_come_only_from_the_env_file():
    variables: set[str] = set()
    for path in COMPOSE_FILES:
        text = path.read_text()
        assert not re.search(r"(PASSWORD|SECRET)[A-Z_]*:\s*['\"]?\w", text), path.name
        variables |= set(re.findall(r"\$\{([A-Z_]+)", text))
    example = (ROOT / ".env.example").read_text()
    declared = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.M))
    assert variables <= declared, variables - declared
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def test_development_compose_starts_web_only_on_healthy_services():
    services = load(ROOT / "docker-compose.yml")["services"]
    assert services["db"]["image"] == "mysql:8.0"
    assert services["redis"]["image"].startswith("redis:7")
    assert services["web"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_workflow_tests_builds_and_deploys_in_order():
    workflow = load(WORKFLOW)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "docs/**" in triggers["push"]["paths-ignore"]
    assert "**/*.md" in triggers["pull_request"]["paths-ignore"]
    jobs = workflow["jobs"]

    test = jobs["test"]
    assert "services" not in test  # .ci/run starts MariaDB and Redis itself
    (ci,) = [step for step in test["steps"] if ".ci/run" in step.get("run", "")]
    assert "python:3.11-bookworm" in ci["run"]  # the Debian CI's system (see below)

    build = jobs["build"]
    assert build["needs"] == "test"
    assert "refs/heads/main" in build["if"]
    (push,) = [step for step in build["steps"] if "build-push-action" in step.get("uses", "")]
    assert push["with"]["push"] is True
    assert "steps.tag.outputs.tag" in push["with"]["tags"] and ":latest" in push["with"]["tags"]
    assert push["with"]["cache-from"].startswith("type=registry")
    assert push["with"]["cache-to"].startswith("type=registry")

    deploy = jobs["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["concurrency"] == {"group": "deploy-production", "cancel-in-progress": False}
    assert deploy["permissions"]["id-token"] == "write"
    runs = [step.get("run", "") for step in deploy["steps"]]
    assert any("deploy/rolling_deploy.sh" in run for run in runs)
    (cleanup,) = [s for s in deploy["steps"] if "revoke-security-group-ingress" in s.get("run", "")]
    assert cleanup["if"].startswith("always()")


def ci_packages() -> list[str]:
    script = (ROOT / ".ci" / "run").read_text()
    (listed,) = re.findall(r"^packages=\((.*?)\)$", script, flags=re.M | re.S)
    return listed.split()


def test_the_workflow_installs_what_ci_installs_by_running_ci_itself():
    """One package list: the workflow's test job runs .ci/run (which runs the README's test
    command, site/tests/test_readme.py) and installs nothing of its own, so chromium,
    fonts-noto-cjk, prometheus, mariadb-server, redis-server... cannot go missing there
    again. It once installed its own shorter list and lacked six of them."""
    steps = load(WORKFLOW)["jobs"]["test"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "bash .ci/run" in runs
    assert "apt-get" not in runs and "apt install" not in runs
    packages = ci_packages()
    for needed in ("chromium", "fonts-noto-cjk", "prometheus", "prometheus-alertmanager"):
        assert needed in packages
    assert {"mariadb-server", "redis-server", "nginx", "openssl"} <= set(packages)


def test_the_image_runs_a_fixed_daphne_as_a_user_with_a_curl_free_healthcheck():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", dockerfile, flags=re.M)
    assert re.search(r"^USER \$\{APP_UID\}", dockerfile, flags=re.M)
    assert re.search(
        r"^HEALTHCHECK .*\n\s+CMD \[\"python\", \"/app/healthcheck.py\"\]", dockerfile, flags=re.M
    )
    code = "\n".join(line for line in dockerfile.splitlines() if not line.startswith("#"))
    assert "curl" not in code and "wget" not in code
    constraints = (ROOT / "deploy" / "constraints.txt").read_text()
    assert re.search(r"^daphne>=4\.2\.2$", constraints, flags=re.M)
