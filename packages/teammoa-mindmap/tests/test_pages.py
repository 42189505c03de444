"""Pages: the list (create, import, delete), the editor, exports; members only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from teammoa.core.navigation import registered_tabs, team_tabs
from teammoa.mindmap.models import Mindmap

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"teammoa_mindmap:{name}", kwargs={"team": world.team.pk, **kwargs})


def test_the_mindmap_tab_is_registered(world):
    tab = next(t for t in registered_tabs() if t.key == "mindmap")
    assert (tab.url_name, tab.order) == ("teammoa_mindmap:mindmap_list", 40)
    assert url("mindmap_list", world) in [t.url for t in team_tabs(world.team.pk)]


def test_pages_are_for_members_only(world, client):
    pages = [
        ("get", url("mindmap_list", world)),
        ("post", url("mindmap_list", world)),
        ("post", url("mindmap_import", world)),
        ("get", url("mindmap_editor", world, mindmap=world.mindmap.pk)),
        ("post", url("mindmap_delete", world, mindmap=world.mindmap.pk)),
        ("get", url("mindmap_export", world, mindmap=world.mindmap.pk, fmt="json")),
    ]
    for method, page in pages:
        assert getattr(client, method)(page).status_code == 302  # to the login page
    client.force_login(world.outsider)
    for method, page in pages:
        assert getattr(client, method)(page).status_code == 404, page
    assert Mindmap.objects.filter(pk=world.mindmap.pk).exists()
    # Through my team, another team's mindmap does not exist either.
    client.force_login(world.alice)
    assert client.get(url("mindmap_editor", world, mindmap=world.foreign_map.pk)).status_code == 404


def test_list_and_create(world, client):
    client.force_login(world.alice)
    page = client.get(url("mindmap_list", world))
    assert page.status_code == 200
    assert b"Ideas" in page.content and b"mindmap.css" in page.content

    invalid = client.post(url("mindmap_list", world), {"title": "Ideas"})
    assert invalid.status_code == 400 and b"already has a mindmap" in invalid.content

    created = client.post(url("mindmap_list", world), {"title": "Roadmap"})
    mindmap = Mindmap.objects.get(team=world.team, title="Roadmap")
    assert created.url == url("mindmap_editor", world, mindmap=mindmap.pk)


def test_the_editor_page(world, client):
    client.force_login(world.alice)
    page = client.get(url("mindmap_editor", world, mindmap=world.mindmap.pk))
    html = page.content.decode()

    assert page.status_code == 200
    assert f'data-socket-path="/ws/mindmaps/{world.mindmap.pk}/"' in html
    assert f'data-me="{world.alice.pk}"' in html
    assert 'data-api-url="/api/v1/teams/' in html
    assert 'role="tree"' in html and 'role="status"' in html
    assert "teammoa_mindmap/js/editor.js" in html
    assert html.count("export.") >= 6


def test_import_and_delete(world, client):
    client.force_login(world.alice)
    exported = client.get(url("mindmap_export", world, mindmap=world.mindmap.pk, fmt="json"))
    assert exported["Content-Disposition"] == 'attachment; filename="Ideas.json"'

    upload = SimpleUploadedFile("ideas.json", exported.content)
    imported = client.post(url("mindmap_import", world), {"file": upload})
    copy = Mindmap.objects.get(team=world.team, title="Ideas (2)")
    assert imported.url == url("mindmap_editor", world, mindmap=copy.pk)

    junk = client.post(url("mindmap_import", world), {"file": SimpleUploadedFile("x.json", b"{")})
    assert junk.status_code == 302 and Mindmap.objects.filter(team=world.team).count() == 3

    assert client.get(url("mindmap_delete", world, mindmap=copy.pk)).status_code == 405
    deleted = client.post(url("mindmap_delete", world, mindmap=copy.pk))
    assert deleted.url == url("mindmap_list", world)
    assert not Mindmap.objects.filter(pk=copy.pk).exists()


def test_every_export_format_downloads(world, client):
    client.force_login(world.bob)
    for fmt, kind in [
        ("json", "application/json"),
        ("md", "text/markdown"),
        ("opml", "text/x-opml"),
        ("mm", "application/x-freemind"),
        ("svg", "image/svg+xml"),
        ("png", "image/png"),
    ]:
        response = client.get(url("mindmap_export", world, mindmap=world.mindmap.pk, fmt=fmt))
        assert response.status_code == 200 and response["Content-Type"].startswith(kind), fmt
    assert (
        client.get(url("mindmap_export", world, mindmap=world.mindmap.pk, fmt="doc")).status_code
        == 404
    )


def test_the_editor_carries_the_teams_time_zone_and_explains_connecting(world, client):
    world.team.timezone = "America/Sao_Paulo"
    world.team.save(update_fields=["timezone"])
    client.force_login(world.alice)
    editor = url("mindmap_editor", world, mindmap=world.mindmap.pk)
    html = client.get(editor).content.decode()
    assert 'data-time-zone="America/Sao_Paulo"' in html  # comment times are the team's
    assert "select one and press C" in html
    with translation.override("ko"):
        korean = client.get(editor).content.decode()
    assert "C 키" in korean and "방금 추가한 노드는 삭제" in korean


def test_the_recommend_button_keeps_its_count_in_one_label(world, client):
    """Buttons are flex boxes with a gap: text straight inside one becomes items of its own,
    and "Recommend (0)" read "★ Recommend ( 0 )". Only the star and one label are items."""
    import re

    client.force_login(world.alice)
    html = client.get(url("mindmap_editor", world, mindmap=world.mindmap.pk)).content.decode()
    (button,) = re.findall(r"<button[^>]*data-recommend[\s>].*?</button>", html, re.S)
    inner = re.sub(r"^<button[^>]*>|</button>$", "", button)
    items = re.sub(
        r"<(span)\b[^>]*>(?:[^<]|<(?!/?span\b)|<span\b[^>]*>[^<]*</span>)*</span>", "", inner
    )
    assert items.strip() == "", f"text outside the button's labels: {items.strip()!r}"
    assert inner.count("data-recommend-count") == 1
