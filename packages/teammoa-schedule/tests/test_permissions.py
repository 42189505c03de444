"""Every endpoint for anonymous users, non-members and members."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from teammoa.core.testing.factories import host_of, make_team, make_user
from tests.support import snapshot, url

pytestmark = pytest.mark.django_db

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"
WEEK_BODY = {"days": [{"date": "2026-11-23", "available": [9]}]}
USUAL_BODY = {"days": [{"weekday": 1, "available": [9]}]}


def call(client, team_id, endpoint):
    if endpoint == "get-week":
        return client.get(url(team_id, "me/?week=2026-W48"))
    if endpoint == "put-week":
        return client.put(url(team_id, "me/?week=2026-W48"), WEEK_BODY, format="json")
    if endpoint == "get-usual":
        return client.get(url(team_id, "me/usual/"))
    if endpoint == "put-usual":
        return client.put(url(team_id, "me/usual/"), USUAL_BODY, format="json")
    if endpoint == "availability":
        return client.get(url(team_id, "availability/?week=2026-W48"))
    if endpoint == "slot":
        return client.get(url(team_id, "slot.ics?date=2026-11-23&start=9&end=10"))
    if endpoint == "import":
        file = SimpleUploadedFile("c.ics", ICS, content_type="text/calendar")
        return client.post(url(team_id, "import/?week=2026-W48"), {"file": file})
    raise AssertionError(endpoint)


ENDPOINTS = ["get-week", "put-week", "get-usual", "put-usual", "availability", "slot", "import"]


@pytest.fixture
def team():
    return make_team(members=1)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_is_refused(team, endpoint):
    before = snapshot()
    response = call(APIClient(), team.pk, endpoint)
    # As everywhere in the API (core's base view): 401 with a challenge when token
    # authentication is on, whatever order the host lists its authentication classes in.
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_non_members_get_404(team, endpoint):
    client = APIClient()
    client.force_login(make_user())
    before = snapshot()
    response = call(client, team.pk, endpoint)
    assert response.status_code == 404
    assert snapshot() == before
    # An unknown team looks the same (no existence leak).
    assert call(client, team.pk + 1000, endpoint).status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_members_get_200(team, endpoint):
    client = APIClient()
    client.force_login(host_of(team).user)
    assert call(client, team.pk, endpoint).status_code == 200


def test_non_member_with_junk_parameters_still_gets_404(team):
    client = APIClient()
    client.force_login(make_user())
    assert client.get(url(team.pk, "me/?week=junk")).status_code == 404
    assert client.get(url(team.pk, "availability/?week=2026-W48&min=x")).status_code == 404


def test_token_authentication(team):
    user = host_of(team).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert call(client, team.pk, "put-week").status_code == 200
    assert call(client, team.pk, "get-week").json()["days"][0]["available"] == [9]


def test_session_writes_need_the_csrf_token(team):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(host_of(team).user)
    before = snapshot()
    assert call(client, team.pk, "put-week").status_code == 403
    assert snapshot() == before
    assert call(client, team.pk, "get-week").status_code == 200
