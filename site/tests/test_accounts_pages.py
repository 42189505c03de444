"""Every account page renders in the site layout, labelled and usable by keyboard."""

from __future__ import annotations

import pytest

from tests.accounts_support import PASSWORD, Page, make_user

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
SIGNED_IN_PAGES = [
    "/accounts/profile/",
    "/accounts/deactivate/",
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/logout/",
]


def _assert_site_page(response) -> Page:
    assert response.status_code == 200
    page = Page(response.content)
    skip_links = [a for a in page.find_all("a") if "skip-link" in a.classes()]
    assert [a.attrs["href"] for a in skip_links] == ["#main"]
    assert page.by_id("main").tag == "main"
    assert len(page.find_all("h1")) == 1
    title = page.find_all("title")[0].text
    assert title.endswith("· TeamMoa") and len(title) > len("· TeamMoa")
    assert page.unlabelled_controls() == []
    # Only real controls: every link goes somewhere, every form posts with a button.
    assert all(a.attrs.get("href") for a in page.find_all("a"))
    for form in page.find_all("form"):
        if form.attrs.get("id") == "logout-from-stage":
            continue  # allauth's helper form, submitted by a button elsewhere
        assert any(n.tag == "button" for n in form.iter()), form.attrs
    return page


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_pages_for_visitors(client, url):
    _assert_site_page(client.get(url))


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_pages_for_members(client, url):
    client.force_login(make_user())
    _assert_site_page(client.get(url))


def test_forms_render_as_cards_in_a_narrow_column(client):
    page = _assert_site_page(client.get("/accounts/login/"))

    assert "page--narrow" in page.by_id("main").classes()
    login_form = page.find_all("form", action="/accounts/login/")[-1]
    assert {"form", "card"} <= set(login_form.classes())


def test_a_form_error_is_announced_above_the_fields(client):
    make_user()
    response = client.post("/accounts/login/", {"login": "alice", "password": "nope-nope"})

    page = Page(response.content)
    form = page.find_all("form", action="/accounts/login/")[-1]
    first_block = next(n for n in form.children if n.tag == "div")
    assert first_block.attrs.get("role") == "alert"
    assert "form__errors" in first_block.classes()
    assert "not correct" in first_block.text
    # The fields themselves are fine: no field is marked invalid.
    assert not [n for n in page.root.iter() if n.attrs.get("aria-invalid") == "true"]


def test_the_error_summary_links_to_each_invalid_field(client):
    response = client.post("/accounts/signup/", {"username": "ok-name", "email": "bad"})

    page = Page(response.content)
    alert = next(n for n in page.root.iter() if n.attrs.get("role") == "alert")
    targets = [a.attrs["href"] for a in alert.iter() if a.tag == "a"]
    assert targets == ["#id_email", "#id_nickname", "#id_password1", "#id_password2"]
    for target in targets:
        assert page.by_id(target[1:]) is not None


def test_the_email_page_labels_every_address(client):
    user = make_user()
    client.force_login(user)

    page = _assert_site_page(client.get("/accounts/email/"))

    radios = [n for n in page.find_all("input") if n.attrs.get("type") == "radio"]
    assert radios
    assert page.by_id(radios[0].attrs["id"]) is radios[0]
    labels = {label.attrs.get("for"): label.text for label in page.find_all("label")}
    assert "alice@example.com" in labels[radios[0].attrs["id"]]


def test_a_bad_address_on_the_email_page_shows_the_error_beside_the_field(client):
    client.force_login(make_user())

    response = client.post("/accounts/email/", {"action_add": "", "email": "not-an-address"})

    assert "valid email" in Page(response.content).field_error("email")


def test_the_header_offers_log_out_as_a_button(client):
    make_user()
    client.post("/accounts/login/", {"login": "alice", "password": PASSWORD})

    page = Page(client.get("/accounts/profile/").content)

    logout_forms = page.find_all("form", action="/accounts/logout/")
    assert logout_forms
    assert any(n.tag == "button" for n in logout_forms[0].iter())


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/"])
def test_pages_follow_the_visitors_language(client, url):
    response = client.get(url, headers={"accept-language": "ko"})

    page = _assert_site_page(response)
    assert page.find_all("html")[0].attrs["lang"] == "ko"
    assert "로그인" in response.content.decode()
