"""Schemathesis on ``/api/schema/`` as a signed-in member, against the live server.

Every operation of the schema, every method (the coverage phase also sends the methods a
path does not declare, ``OPTIONS`` and ``TRACE`` included), positive and negative data,
then stateful sequences along the links Schemathesis infers from the schema. Checks:
no response is a 5xx and every documented response matches its schema. A failure is
printed with the curl command that reproduces it.

Path parameters are drawn mostly from the seeded ids (the member's teams, a team they
are not in, their mindmaps' nodes…) so that requests get past "not found" to the code
behind it; operations that end a team or a membership only ever get the spare teams.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from conftest import FIGURES, live_server
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from known import known_request, only_known
from live import PROXY_HEADERS, Live
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

# Per operation and phase; 50 operations x (examples + coverage + fuzzing) ≈ 4,000 requests.
MAX_EXAMPLES = int(os.environ.get("TEAMMOA_FUZZ_API_EXAMPLES", "40"))
STATEFUL_STEPS = int(os.environ.get("TEAMMOA_FUZZ_STATEFUL_STEPS", "10"))
STATEFUL_EXAMPLES = int(os.environ.get("TEAMMOA_FUZZ_STATEFUL_EXAMPLES", "40"))
MIN_REQUESTS = 3000
SEED = 20260901
CHECKS = ("not_a_server_error", "response_schema_conformance")
# Operations after which the team or the membership may be gone: spare teams only.
ENDING = {
    ("DELETE", "/api/v1/teams/{team}/"),
    ("POST", "/api/v1/teams/{team}/leave/"),
    ("POST", "/api/v1/teams/{team}/transfer-host/"),
    ("DELETE", "/api/v1/teams/{team}/members/{member}/"),
}


def count_response(response: Any) -> None:
    request = response.request
    FIGURES["api requests"] += 1
    FIGURES[f"api method {request.method}"] += 1
    if response.status_code >= 500:
        FIGURES["api responses >= 500"] += 1
        if known_request("server_error", request.method, request.url):
            FIGURES["api known server errors"] += 1


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    count_response(response)


def _pools(world: dict[str, Any]) -> dict[str, list[int]]:
    teams, content, maps = world["teams"], world["content"], world["mindmaps"]
    # The main team three times over: most requests should reach the member's own data.
    team = [teams["main"]] * 3 + [teams["joined"], teams["foreign"], teams["spare"][0]]
    return {
        "team": team,
        "spare": teams["spare"],
        "member": world["members"]["main"]
        + world["members"]["spare"]
        + world["members"]["foreign"],
        "milestones": [i for c in content.values() for i in c["milestones"]],
        "todos": [i for c in content.values() for i in c["todos"]],
        "posts": [i for c in content.values() for i in c["posts"]],
        "meeting": [i for c in content.values() for i in c["meetings"]],
        "mindmaps": [m["id"] for m in maps.values()],
        "node": [i for m in maps.values() for i in m["nodes"]],
        "connection": [i for m in maps.values() for i in m["connections"]],
    }


def _draw_from(pool: list[int]) -> st.SearchStrategy[Any]:
    # None keeps whatever Schemathesis generated (huge, negative, zero...).
    return st.sampled_from([*pool, *pool, None])


def path_strategy(operation: Any, params: dict[str, Any], pools: dict[str, list[int]]) -> Any:
    path, method = operation.path, operation.method.upper()
    choices: dict[str, st.SearchStrategy[Any]] = {}
    for name in params:
        if name == "team":
            key = "spare" if (method, path) in ENDING else "team"
            choices[name] = _draw_from(pools[key])
        elif name == "id":
            kind = path.split("/")[5] if path.count("/") > 5 else ""
            choices[name] = _draw_from(pools.get(kind, []))
        elif name in pools:
            choices[name] = _draw_from(pools[name])
    if not choices:
        return st.just(params)
    return st.fixed_dictionaries(choices).map(
        lambda drawn: {**params, **{k: v for k, v in drawn.items() if v is not None}}
    )


def load_schema(live: Live) -> Any:
    world = live.world
    headers = {**PROXY_HEADERS, "Authorization": f"Token {world['token']['member']}"}
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "base-url": live.base_url,
            "headers": headers,
            "request-timeout": 30,
            "suppress-health-check": ["all"],
            # The token is this run's own: print it, so the curl command works as printed.
            "output": {"sanitization": {"enabled": False}},
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "no-shrink": True,
            },
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
            },
            "phases": {
                "stateful": {
                    "max-steps": STATEFUL_STEPS,
                    "inference": {"algorithms": ["location-headers", "dependency-analysis"]},
                }
            },
        }
    )
    loaded = schemathesis.openapi.from_url(
        f"{live.base_url}/api/schema/?format=json", config=config, headers=headers, timeout=30
    )
    pools = _pools(world)

    @loaded.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        return path_strategy(context.operation, path_parameters or {}, pools)

    FIGURES["api operations"] = len(list(loaded.get_all_operations()))
    return loaded


# Loaded at import: Schemathesis makes one test per operation from it.
schema = load_schema(live_server())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation(case: Any, live: Live) -> None:
    response = case.call()
    try:
        case.validate_response(response)
    except FailureGroup as group:
        if not only_known(group, response):
            FIGURES["api failing cases"] += 1
            raise
        FIGURES["api known failures"] += 1


def test_stateful_links(live: Live) -> None:
    """Create-then-use sequences along the inferred links (POST a todo, then PATCH it…)."""

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            try:
                super().validate_response(response, case, **kwargs)
            except FailureGroup as group:
                if not only_known(group, response):
                    FIGURES["api failing cases"] += 1
                    raise
                FIGURES["api known failures"] += 1

    Machine.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_request_budget(live: Live) -> None:
    """Runs last in this module: the run was big enough to mean something, and clean."""
    assert FIGURES["api requests"] >= MIN_REQUESTS, FIGURES
    unknown = FIGURES["api responses >= 500"] - FIGURES["api known server errors"]
    assert unknown == 0, FIGURES
