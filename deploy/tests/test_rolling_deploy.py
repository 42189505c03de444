"""deploy/rolling_deploy.sh against fake aws, ssh and docker commands that record every call
(tests/fakes/): the order of the steps, the rollback, and the SSH rule always removed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import DEPLOY_DIR

SCRIPT = DEPLOY_DIR / "rolling_deploy.sh"
FAKES = Path(__file__).resolve().parent / "fakes"
REMOTE_DIR = "/srv/teammoa-fake"
OLD, NEW = "0123456789ab", "ba9876543210"
TARGETS = ["i-1:80", "i-2:80"]


@dataclass
class Run:
    returncode: int
    output: str
    calls: list[dict]
    hosts: Path

    def tag_on(self, host: str) -> str:
        for line in (self.hosts / host / ".env").read_text().splitlines():
            if line.startswith("TEAMMOA_TAG="):
                return line.split("=", 1)[1]
        return ""

    def steps(self) -> list[str]:
        """Each call as a short step name: what a person reading the deploy log would see."""
        names = []
        for call in self.calls:
            args = call["args"]
            if call["cmd"] == "aws":
                target = next((a for a in args if a.startswith("Id=")), "")
                instance = target.split(",")[0].removeprefix("Id=")
                verb = " ".join(a for a in args[:3] if not a.startswith("-"))
                names.append(f"aws {verb} {instance}".strip())
            elif call["cmd"] == "docker":
                if "/app/request_counts.py" in args:
                    service = args[args.index("-T") + 1]
                    names.append(f"{call['host']} counts {service} @{call['tag']}")
                elif args[:1] == ["compose"]:
                    verb = next(a for a in args[3:] if not a.startswith("-"))
                    names.append(f"{call['host']} compose {verb} @{call['tag']}")
                else:
                    names.append(f"{call['host']} docker {args[0]} @{call['tag']}")
        return names


def deploy(tmp_path: Path, tag: str = NEW, fail: str = "", **env: str) -> Run:
    hosts = tmp_path / "hosts"
    for target in TARGETS:
        home = hosts / f"host-{target.split(':')[0]}"
        home.mkdir(parents=True, exist_ok=True)
        (home / ".env").write_text(f"SECRET_KEY=x\nTEAMMOA_TAG={OLD}\nMYSQL_PASSWORD=y\n")
    log = tmp_path / "calls.jsonl"
    environment = {
        "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "FAKE_LOG": str(log),
        "FAKE_HOSTS": str(hosts),
        "FAKE_TARGETS": " ".join(TARGETS),
        "FAKE_FAIL": fail,
        "REMOTE_DIR": REMOTE_DIR,
        "TARGET_GROUP_ARN": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/teammoa/1",
        "SSH_SECURITY_GROUP_ID": "sg-123",
        "RUNNER_IP": "203.0.113.7",
        "HEALTH_TIMEOUT": "3",
        "POLL_INTERVAL": "0.1",
        "ERROR_WINDOW": "0.1",
        **env,
    }
    result = subprocess.run(
        ["bash", str(SCRIPT), tag],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return Run(result.returncode, result.stdout + result.stderr, calls, hosts)


@pytest.fixture(autouse=True)
def _tools():
    for tool in ("bash", "tar", "sed", "xargs"):
        assert shutil.which(tool), tool


def counts(host: str, tag: str) -> list[str]:
    return [f"{host} counts web1 @{tag}", f"{host} counts web2 @{tag}"]


def per_target(instance: str, host: str) -> list[str]:
    return [
        *counts(host, OLD),
        f"aws elbv2 deregister-targets {instance}",
        f"aws elbv2 wait target-deregistered {instance}",
        f"{host} compose pull @{NEW}",
        f"{host} compose up @{NEW}",
        f"{host} compose ps @{NEW}",
        f"{host} docker inspect @{NEW}",
        f"{host} compose exec @{NEW}",
        f"aws elbv2 register-targets {instance}",
        f"aws elbv2 wait target-in-service {instance}",
        *counts(host, NEW),
        *counts(host, NEW),
    ]


def test_rolls_out_one_target_at_a_time_through_every_gate(tmp_path):
    run = deploy(tmp_path)

    assert run.returncode == 0, run.output
    assert run.steps() == [
        "aws ec2 authorize-security-group-ingress",
        "aws elbv2 describe-target-health",
        "aws ec2 describe-instances",
        *per_target("i-1", "host-i-1"),
        "aws ec2 describe-instances",
        *per_target("i-2", "host-i-2"),
        "aws ec2 revoke-security-group-ingress",
    ]
    assert run.tag_on("host-i-1") == run.tag_on("host-i-2") == NEW
    # The configuration travelled with the deploy.
    assert (run.hosts / "host-i-1" / "docker-compose.prod.yml").exists()
    assert (run.hosts / "host-i-2" / "deploy" / "nginx-site.conf").exists()
    ssh_calls = [call for call in run.calls if call["cmd"] == "ssh"]
    assert all("BatchMode=yes" in call["args"] for call in ssh_calls)
    assert {call["destination"] for call in ssh_calls} == {"deploy@host-i-1", "deploy@host-i-2"}
    rule = next(c["args"] for c in run.calls if "authorize-security-group-ingress" in c["args"])
    assert rule[rule.index("--cidr") + 1] == "203.0.113.7/32"
    assert rule[rule.index("--port") + 1] == "22"


def test_a_failed_health_gate_restores_the_previous_tag_and_stops(tmp_path):
    run = deploy(tmp_path, fail=f"health:host-i-1:{NEW}")

    assert run.returncode != 0
    assert "ROLLBACK to " + OLD in run.output
    assert run.tag_on("host-i-1") == OLD
    assert run.tag_on("host-i-2") == OLD
    steps = run.steps()
    failed_at = steps.index(f"host-i-1 docker inspect @{NEW}")
    assert steps[failed_at + 1 :] == [
        f"host-i-1 compose pull @{OLD}",
        f"host-i-1 compose up @{OLD}",
        f"host-i-1 compose ps @{OLD}",
        f"host-i-1 docker inspect @{OLD}",
        f"host-i-1 compose exec @{OLD}",
        "aws elbv2 register-targets i-1",
        "aws elbv2 wait target-in-service i-1",
        "aws ec2 revoke-security-group-ingress",
    ]
    # The second target was never touched.
    assert not any(step.endswith("i-2") or "host-i-2" in step for step in steps)


def test_a_target_that_never_comes_into_service_is_rolled_back(tmp_path):
    run = deploy(tmp_path, fail="in-service:i-2*1")

    assert run.returncode != 0
    assert run.tag_on("host-i-1") == NEW  # done before the failure: it stays
    assert run.tag_on("host-i-2") == OLD
    steps = run.steps()
    tail = steps[steps.index("aws elbv2 wait target-in-service i-2") :]
    assert tail == [
        "aws elbv2 wait target-in-service i-2",
        "aws elbv2 deregister-targets i-2",
        "aws elbv2 wait target-deregistered i-2",
        f"host-i-2 compose pull @{OLD}",
        f"host-i-2 compose up @{OLD}",
        f"host-i-2 compose ps @{OLD}",
        f"host-i-2 docker inspect @{OLD}",
        f"host-i-2 compose exec @{OLD}",
        "aws elbv2 register-targets i-2",
        "aws elbv2 wait target-in-service i-2",
        "aws ec2 revoke-security-group-ingress",
    ]


def test_a_target_that_does_not_drain_goes_back_in_untouched(tmp_path):
    run = deploy(tmp_path, fail="drain:i-1")

    assert run.returncode != 0
    assert run.tag_on("host-i-1") == OLD
    assert run.steps()[-3:] == [
        "aws elbv2 wait target-deregistered i-1",
        "aws elbv2 register-targets i-1",
        "aws ec2 revoke-security-group-ingress",
    ]
    # Nothing but the read-only request counts touched the containers.
    assert [c for c in run.calls if c["cmd"] == "docker"] == [
        c for c in run.calls if "/app/request_counts.py" in c["args"]
    ]


def test_the_ssh_rule_is_removed_when_the_deploy_fails_before_any_target(tmp_path):
    run = deploy(tmp_path, fail="describe")

    assert run.returncode != 0
    assert run.steps() == [
        "aws ec2 authorize-security-group-ingress",
        "aws elbv2 describe-target-health",
        "aws ec2 revoke-security-group-ingress",
    ]


def test_without_a_security_group_no_rule_is_touched(tmp_path):
    run = deploy(tmp_path, SSH_SECURITY_GROUP_ID="")

    assert run.returncode == 0, run.output
    assert not any("security-group" in " ".join(call["args"]) for call in run.calls)


@pytest.mark.parametrize("tag", ["", "latest; rm -rf /", "../x", "a b"])
def test_refuses_a_tag_that_is_not_a_plain_image_tag(tmp_path, tag):
    run = deploy(tmp_path, tag=tag)

    assert run.returncode != 0
    assert run.calls == []


# --- the error gate: the new release's 5xx ratio under real traffic ----------------------


def rolled_back_after_the_error_gate(run: Run, host: str, instance: str) -> None:
    steps = run.steps()
    gate = steps.index(f"aws elbv2 wait target-in-service {instance}")
    assert steps[gate + 1 :] == [
        *counts(host, NEW),
        *counts(host, NEW),
        f"aws elbv2 deregister-targets {instance}",
        f"aws elbv2 wait target-deregistered {instance}",
        f"{host} compose pull @{OLD}",
        f"{host} compose up @{OLD}",
        f"{host} compose ps @{OLD}",
        f"{host} docker inspect @{OLD}",
        f"{host} compose exec @{OLD}",
        f"aws elbv2 register-targets {instance}",
        f"aws elbv2 wait target-in-service {instance}",
        "aws ec2 revoke-security-group-ingress",
    ]


def test_a_release_that_answers_more_errors_is_rolled_back(tmp_path):
    run = deploy(tmp_path, FAKE_ERRORS=f"host-i-1:{NEW}=0.3")

    assert run.returncode != 0
    assert "error gate failed: 60 of 200 requests answered 5xx (0.3000; before: 0.0000)" in (
        run.output
    )
    assert "ROLLBACK to " + OLD in run.output
    assert run.tag_on("host-i-1") == run.tag_on("host-i-2") == OLD
    rolled_back_after_the_error_gate(run, "host-i-1", "i-1")


def test_errors_the_previous_release_had_as_well_are_no_rise(tmp_path):
    run = deploy(tmp_path, FAKE_ERRORS=f"host-i-1:{OLD}=0.3,host-i-1:{NEW}=0.32")

    assert run.returncode == 0, run.output
    assert "error gate passed: 64 of 200 requests answered 5xx (0.3200; before: 0.3000)" in (
        run.output
    )
    assert run.tag_on("host-i-1") == run.tag_on("host-i-2") == NEW


def test_too_little_traffic_cannot_fail_the_error_gate(tmp_path):
    run = deploy(tmp_path, FAKE_ERRORS=f"host-i-1:{NEW}=0.5", ERROR_MIN_REQUESTS="1000")

    assert run.returncode == 0, run.output
    assert "nothing to judge" in run.output
    assert run.tag_on("host-i-1") == NEW


def test_a_running_release_without_request_counts_counts_as_error_free(tmp_path):
    # The first deploy of a release with request_counts.py: the old image lacks it.
    run = deploy(tmp_path, FAKE_ERRORS=f"host-i-1:{OLD}=none,host-i-2:{OLD}=none")

    assert run.returncode == 0, run.output
    assert "its ratio counts as 0" in run.output
    assert run.tag_on("host-i-1") == run.tag_on("host-i-2") == NEW


def test_a_new_release_whose_counts_cannot_be_read_is_rolled_back(tmp_path):
    run = deploy(tmp_path, FAKE_ERRORS=f"host-i-1:{NEW}=none")

    assert run.returncode != 0
    assert "cannot read the request counts" in run.output
    assert run.tag_on("host-i-1") == OLD
