"""JSON log lines with the request id, the access log, and Sentry (SPEC section 9)."""

from __future__ import annotations

import io
import json
import logging.config
import re

import pytest
import sentry_sdk
from django.conf import settings as django_settings
from django.test import Client, override_settings
from sentry_sdk.transport import Transport

from teammoa_site.logs import logging_config
from teammoa_site.sentry import _with_request_id, init_sentry
from tests.support.processes import clean_env, report_settings

FAILING_URLS = "tests.urls_failing"


@pytest.fixture
def json_lines():
    """Logging as production sets it up (JSON lines); the lines written, parsed."""
    stream = io.StringIO()
    config = logging_config("json", "INFO")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line]

    yield read
    logging.config.dictConfig(django_settings.LOGGING)


class RecordingTransport(Transport):
    """Keeps the events instead of sending them anywhere."""

    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture
def sentry_events():
    transport = RecordingTransport()
    init_sentry(
        "https://public@sentry.invalid/1",
        release="0123456789ab",
        environment="test",
        transport=transport,
    )
    yield transport.events
    sentry_sdk.get_client().close()
    # No client at all afterwards (a DSN-less one would keep its integrations working,
    # e.g. the threading one, and change how later tests' threads see their context).
    sentry_sdk.get_global_scope().set_client(None)
    assert not sentry_sdk.get_client().is_active()


def only(lines: list[dict], **fields) -> dict:
    found = [line for line in lines if all(line.get(k) == v for k, v in fields.items())]
    assert len(found) == 1, (fields, lines)
    return found[0]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=FAILING_URLS)
def test_a_500_logs_a_json_line_with_the_request_id_and_sends_one_sentry_event(
    json_lines, sentry_events, django_user_model
):
    user = django_user_model.objects.create_user("alice", "alice@example.com", "pw-12345-xyz")
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.post(
        "/boom/", {"note": "hunter2-private"}, HTTP_X_REQUEST_ID="4f2c0e7d9a1b4c3d8e5f6a7b8c9d0e1f"
    )

    assert response.status_code == 500
    assert response["X-Request-ID"] == "4f2c0e7d9a1b4c3d8e5f6a7b8c9d0e1f"
    lines = json_lines()
    error = only(lines, logger="django.request", level="ERROR")
    assert error["request_id"] == "4f2c0e7d9a1b4c3d8e5f6a7b8c9d0e1f"
    assert "Boom: the view failed on purpose" in error["exc_info"]
    assert error["time"]
    access = only(lines, logger="teammoa.request")
    assert access["request_id"] == "4f2c0e7d9a1b4c3d8e5f6a7b8c9d0e1f"
    assert access["level"] == "INFO"
    assert (access["method"], access["route"], access["status"]) == ("POST", "boom", 500)

    (event,) = sentry_events
    assert event["exception"]["values"][-1]["type"] == "Boom"
    assert event["tags"]["request_id"] == "4f2c0e7d9a1b4c3d8e5f6a7b8c9d0e1f"
    assert event["release"] == "0123456789ab"
    assert event["environment"] == "test"
    # No personal data: no user details, no cookies (the session), no body.
    assert "username" not in json.dumps(event.get("user", {}))
    assert "email" not in json.dumps(event.get("user", {}))
    assert "sessionid" not in json.dumps(event)
    assert "hunter2-private" not in json.dumps(event)
    assert str(user.pk) not in json.dumps(event.get("user", {}))


KEY = "K3y-0f-a-mEmbers-calendar-feed"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=FAILING_URLS)
def test_a_key_in_the_address_stays_out_of_logs_and_sentry(json_lines, sentry_events):
    """A calendar feed's address is its key: the access line, Django's error line and the
    Sentry event name the path with ``<token>`` instead."""
    client = Client(raise_request_exception=False)

    failed = client.get(f"/boom/{KEY}.ics")
    missing = client.get(f"/teams/999999/calendar/{KEY}.ics")

    assert (failed.status_code, missing.status_code) == (500, 404)
    lines = json_lines()
    assert [line for line in lines if KEY in json.dumps(line)] == []
    paths = [line["path"] for line in lines if line["logger"] == "teammoa.request"]
    assert paths == ["/boom/<token>.ics", "/teams/999999/calendar/<token>.ics"]
    errors = [line["message"] for line in lines if line["logger"] == "django.request"]
    assert errors == [
        "Internal Server Error: /boom/<token>.ics",
        "Not Found: /teams/999999/calendar/<token>.ics",
    ]
    (event,) = sentry_events
    assert KEY not in json.dumps(event)
    assert KEY not in json.dumps(event)
    assert event["transaction"] == "/boom/{token}.ics"  # the route, not the address


def test_sentry_events_carry_addresses_without_their_keys():
    """Whatever the SDK puts in an event's request (some versions send the URL), the
    key is replaced before the event leaves."""
    event = {"request": {"url": f"https://teammoa.example/teams/3/calendar/{KEY}.ics?x=1"}}

    sent = _with_request_id(event, {})

    assert sent["request"]["url"] == "https://teammoa.example/teams/3/calendar/<token>.ics?x=1"


@pytest.mark.django_db
def test_a_request_without_a_usable_id_gets_a_fresh_one(json_lines):
    client = Client()
    given = client.get("/", HTTP_X_REQUEST_ID="ok.id-1")["X-Request-ID"]
    fresh = client.get("/")["X-Request-ID"]
    unsafe = client.get("/", HTTP_X_REQUEST_ID='x" injected\nline')["X-Request-ID"]
    long = client.get("/", HTTP_X_REQUEST_ID="a" * 200)["X-Request-ID"]

    assert given == "ok.id-1"
    for generated in (fresh, unsafe, long):
        assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert len({fresh, unsafe, long}) == 3
    logged = [line["request_id"] for line in json_lines() if line["logger"] == "teammoa.request"]
    assert logged == [given, fresh, unsafe, long]


@pytest.mark.django_db
def test_health_probes_and_scrapes_stay_out_of_the_info_log(json_lines):
    client = Client()
    client.get("/health/")
    client.get("/health/live/")
    client.get("/metrics")
    client.get("/")

    paths = [line.get("path") for line in json_lines() if line["logger"] == "teammoa.request"]
    assert paths == ["/"]


def test_outside_a_request_the_id_is_a_dash(json_lines):
    logging.getLogger("teammoa.test").warning("background work")

    assert only(json_lines(), logger="teammoa.test")["request_id"] == "-"


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config("xml", "INFO")


PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "teammoa_site.settings.prod",
    "SECRET_KEY": "logs-test-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP",
    "ALLOWED_HOSTS": "teammoa.example",
}
DESCRIBE_LOGGING = """
from django.conf import settings
report = {
    "formatter": settings.LOGGING["handlers"]["console"]["formatter"],
    "environment": settings.SENTRY_ENVIRONMENT,
}
"""


def test_production_logs_json_and_development_plain_text():
    assert report_settings(DESCRIBE_LOGGING, clean_env(**PROD_ENV)) == {
        "formatter": "json",
        "environment": "production",
    }
    assert report_settings(DESCRIBE_LOGGING, clean_env()) == {
        "formatter": "plain",
        "environment": "development",
    }
    plain = report_settings(DESCRIBE_LOGGING, clean_env(**PROD_ENV, LOG_FORMAT="plain"))
    assert plain["formatter"] == "plain"
