"""The schedule page and its team tab."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils.translation import override
from rest_framework.test import APIClient

from teammoa.core.navigation import registered_tabs, team_tabs
from teammoa.core.testing.factories import add_member, host_of, make_team, make_user
from tests.support import day, url

pytestmark = pytest.mark.django_db


def page(client, team, query=""):
    return client.get(reverse("teammoa_schedule:schedule", kwargs={"team": team.pk}) + query)


def test_the_tab_is_registered():
    tab = next(tab for tab in registered_tabs() if tab.key == "schedule")
    assert tab.url_name == "teammoa_schedule:schedule" and tab.order == 30
    team = make_team()
    (resolved,) = [t for t in team_tabs(team.pk, current="schedule") if t.key == "schedule"]
    assert resolved.url == f"/teams/{team.pk}/schedule/" and resolved.active


def test_members_see_the_grid_and_the_tab(client):
    team = make_team(title="Capstone", timezone="Asia/Seoul")
    member = add_member(team)
    api = APIClient()
    api.force_login(member.user)
    api.put(url(team.pk, "me/?week=2026-W48"), {"days": [day("2026-11-24", [10])]}, format="json")
    client.force_login(member.user)
    response = page(client, team, "?week=2026-W48")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-my-grid" in html and "data-heatmap" in html and "data-best-slots" in html
    assert html.count('role="gridcell"') == 2 * 7 * 24
    assert_schedule_tab(html, team)
    assert re.search(r'data-date="2026-11-24" data-hour="10" data-state="free"', html)
    assert "2026-W48" in html and 'href="?week=2026-W47"' in html and "2026-W49" in html
    assert "teammoa_schedule/js/schedule.js" in html and 'type="module"' in html
    assert 'id="schedule-config"' in html and "/api/v1/teams/" in html
    assert "Asia/Seoul" in html
    # The best slot (only this member painted; the host did not) has an .ics link.
    assert (
        f"/api/v1/teams/{team.pk}/schedule/slot.ics?date=2026-11-24&amp;start=10&amp;end=11" in html
    )


def test_a_week_that_is_over_suggests_no_time_and_says_why(client, clock):
    team = make_team(timezone="Asia/Seoul")
    member = add_member(team)
    api = APIClient()
    api.force_login(member.user)
    api.put(url(team.pk, "me/?week=2026-W48"), {"days": [day("2026-11-24", [10])]}, format="json")
    client.force_login(member.user)
    clock.set(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC))

    html = page(client, team, "?week=2026-W48").content.decode()

    assert "slot.ics?date=2026-11-24" not in html  # no "Meet then" on the past
    assert "This week is over, so no time is suggested." in html
    with override("ko"):
        korean = page(client, team, "?week=2026-W48").content.decode()
    assert "지난 주라서 추천할 시간이 없습니다." in korean


def assert_schedule_tab(html, team):
    (link,) = re.findall(r"<a [^>]*aria-current=\"page\"[^>]*>[^<]*</a>", html)
    assert f'href="/teams/{team.pk}/schedule/"' in link and ">Schedule</a>" in link


def test_year_boundary_and_junk_weeks(client):
    team = make_team()
    client.force_login(host_of(team).user)
    html = page(client, team, "?week=2026-W53").content.decode()
    assert 'data-date="2027-01-03"' in html and "2027-W01" in html
    response = page(client, team, "?week=2026-W54")
    assert response.status_code == 400  # the page still shows this week and the alert
    assert "YYYY-Www" in response.content.decode() and 'role="alert"' in response.content.decode()


def test_bad_slot_parameters_are_shown(client):
    team = make_team()
    client.force_login(host_of(team).user)
    response = page(client, team, "?length=99")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_non_members_get_404(client):
    team = make_team()
    client.force_login(make_user())
    assert page(client, team).status_code == 404
    assert client.get(f"/teams/{team.pk + 1000}/schedule/").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    team = make_team()
    response = page(client, team)
    assert response.status_code == 302
    assert "login" in response["Location"] and "next=" in response["Location"]


def test_only_get(client):
    team = make_team()
    client.force_login(host_of(team).user)
    assert client.post(f"/teams/{team.pk}/schedule/").status_code == 405


def test_korean(client):
    team = make_team()
    client.force_login(host_of(team).user)
    html = page(client, team).content.decode()
    assert "My week" in html
    from django.utils import translation

    with translation.override("ko"):
        html = page(client, team).content.decode()
    assert "내 주간 일정" in html


HOST_BASE = """<!DOCTYPE html><html><head>
<title>{% block title %}{% endblock title %}</title>
<link rel="stylesheet" href="/host.css">
{% block teammoa_assets %}{% endblock teammoa_assets %}
{% block extra_head %}<link rel="stylesheet" href="/host-extra.css">{% endblock extra_head %}
</head><body>{% block team_nav %}{% endblock team_nav %}
<main id="main" class="{% block page_class %}{% endblock page_class %}">
{% block content %}{% endblock content %}</main>{% block scripts %}{% endblock scripts %}
</body></html>"""


def test_a_host_base_template_keeps_its_own_head_and_the_apps_assets(client, settings, tmp_path):
    """The documented template contract (core's README): a host's own base.html keeps its
    extra_head, and the schedule page still brings its stylesheet (teammoa_assets)."""
    (tmp_path / "teammoa_core").mkdir()
    (tmp_path / "teammoa_core" / "base.html").write_text(HOST_BASE)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    team = make_team(title="Hosted")
    client.force_login(host_of(team).user)
    html = page(client, team).content.decode()
    assert "/host.css" in html and "/host-extra.css" in html
    assert "teammoa_schedule/css/schedule.css" in html
    assert "teammoa_schedule/js/schedule.js" in html and "data-my-grid" in html


def test_import_shows_a_preview_before_saving(client):
    team = make_team()
    client.force_login(host_of(team).user)
    html = page(client, team).content.decode()
    assert "data-import-preview" in html and "Preview the import" in html
    assert "data-import-undo" in html and "Nothing is marked free" in html
    assert 'name="from"' not in html  # v1's working hours to fill are gone
    from django.utils import translation

    with translation.override("ko"):
        assert translation.gettext("Preview the import") == "가져오기 미리 보기"
        assert "1000" in translation.gettext(
            "An event repeats too often: more than %(n)s times around the imported week "
            "(%(event)s). Remove it or export a shorter range."
        ) % {"n": 1000, "event": "x"}


def test_no_link_past_the_weeks_people_may_pick(client):
    team = make_team()
    client.force_login(host_of(team).user)
    last = page(client, team, "?week=2100-W52")
    assert last.status_code == 200
    html = last.content.decode()
    assert 'href="?week=2100-W51"' in html and "2101-W01" not in html
    assert 'aria-disabled="true"' in html
    first = page(client, team, "?week=1970-W01").content.decode()
    assert 'href="?week=1970-W02"' in first and "1969-W" not in first
    assert page(client, team, "?week=2101-W01").status_code == 400


ROW = r"<tr( hidden)?>\s*<th scope=\"row\" class=\"week-grid__hour\">(\d\d):00"


def test_the_page_shows_the_hours_set_for_the_team_and_names_who_cannot_come(client):
    team = make_team(timezone="Asia/Seoul")
    member = add_member(team)
    api = APIClient()
    api.force_login(member.user)
    api.put(url(team.pk, "me/?week=2026-W50"), {"days": [day("2026-12-08", [20])]}, format="json")
    host = host_of(team)
    client.force_login(host.user)
    html = page(client, team, "?week=2026-W50").content.decode()
    # Default: 08-22 widened to what was painted (20:00 is inside).
    assert "Hours shown: 08:00–22:00" in html
    rows = re.findall(ROW, html)
    assert [hour for hidden, hour in rows[:24] if not hidden] == [f"{h:02d}" for h in range(8, 22)]
    assert f"Cannot come: {host.name}" in html and f"Can come: {member.name}" in html
    assert 'href="#my-grid"' in html and 'id="my-grid"' in html
    assert "7 – 13 Dec" in html and "2026-W50" in html

    APIClient.force_login(api, host.user)
    api.put(url(team.pk, "settings/"), {"first_hour": 6, "last_hour": 24}, format="json")
    html = page(client, team, "?week=2026-W50").content.decode()
    rows = re.findall(ROW, html)
    assert [hour for hidden, hour in rows[:24] if not hidden] == [f"{h:02d}" for h in range(6, 24)]


def test_the_page_writes_dates_in_korean(client):
    team = make_team(timezone="Asia/Seoul")
    client.force_login(host_of(team).user)
    with override("ko"):
        html = page(client, team, "?week=2026-W50").content.decode()
    assert "12월 7일 – 13일" in html
    assert "12월 8일" in html
    # Screen readers hear whole words in Korean order, not Django's "화요일 8 12월".
    assert 'aria-label="12월 8일 화요일, ' in html
    assert "화요일 8 12월" not in html


def test_the_page_writes_times_as_koreans_do(client):
    """Row headings, cell labels and the hours shown on a 12-hour clock, half of the day
    first ("오후 3시"); English keeps "15:00"."""
    team = make_team(timezone="Asia/Seoul")
    client.force_login(host_of(team).user)
    with override("ko"):
        html = page(client, team, "?week=2026-W50").content.decode()
    headings = re.findall(r'<th scope="row" class="week-grid__hour">([^<]+)</th>', html)
    assert headings[:24] == [
        "오전 12시",
        *[f"오전 {h}시" for h in range(1, 12)],
        "오후 12시",
        *[f"오후 {h}시" for h in range(1, 12)],
    ]
    assert re.search(r'aria-label="[^"]*, 오후 3시: ', html)
    assert re.search(r"<span>표시 시간: 오[전후] \d+시~오[전후] \d+시</span>", html)
    html = page(client, team, "?week=2026-W50").content.decode()
    assert re.findall(r'class="week-grid__hour">([^<]+)</th>', html)[15] == "15:00"
