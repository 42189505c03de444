"""Layout a tester found broken, measured in Chromium at 1366 x 768 and 390 x 844 in English
and Korean: the milestone timeline (week labels that ran together or were cut, a title
spilling past its track, a date range wrapping inside a date) and the team tab bar (a tab
off-screen on a phone with no hint that the bar scrolls)."""

from __future__ import annotations

from typing import Any

import pytest
from support.stack import Stack

SEED = """
import datetime, json
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from teammoa.core import services

User = get_user_model()
host = User.objects.create_user(
    username="layout", email="layout@example.com", password=None, nickname="Layout"
)
EmailAddress.objects.create(user=host, email=host.email, verified=True, primary=True)
team = services.create_team(host, title="Layout Crew", password="layout-pass-1")
today = timezone.localdate()
# The tester's case: a long Korean title over three weeks and a bit, the range reaching
# well past today so the scale carries a week label near its right edge.
services.create_milestone(
    host, team.pk, title="중간 발표 준비와 시연 영상 촬영",
    start_date=today - datetime.timedelta(days=6), end_date=today + datetime.timedelta(days=17),
    priority="high", progress_mode="auto",
)
services.create_milestone(
    host, team.pk, title="Final report and the demo video for the showcase",
    start_date=today + datetime.timedelta(days=18), end_date=today + datetime.timedelta(days=20),
    priority="medium", progress_mode="auto",
)
client = Client()
client.force_login(host)
print("@@" + json.dumps({"team": team.pk, "session": client.cookies["sessionid"].value,
                          "user": host.pk}))
"""

# Everything measured in one pass over the page, in the page.
MEASURE = """() => {
  const rect = (el) => el.getBoundingClientRect();
  const text = (el) => el.textContent.trim();
  const problems = [];
  // Scale labels: none overlapping the next shown one, none cut at the scale's end.
  const scale = document.querySelector("[data-ticks]");
  const shown = [...scale.children].filter((t) => !t.hidden && rect(t).width > 0);
  if (shown.length < 2) problems.push(`only ${shown.length} scale labels shown`);
  for (let i = 1; i < shown.length; i++) {
    if (rect(shown[i]).left < rect(shown[i - 1]).right)
      problems.push(`scale labels overlap: "${text(shown[i - 1])}" and "${text(shown[i])}"`);
  }
  const scroller = document.querySelector(".timeline__scroll");
  const edge = Math.min(rect(scale).right, rect(scroller).left + scroller.scrollWidth);
  for (const tick of shown) {
    if (rect(tick).right > edge + 0.5 || tick.scrollWidth > tick.clientWidth + 1)
      problems.push(`scale label "${text(tick)}" is cut`);
  }
  for (const row of document.querySelectorAll(".timeline__row")) {
    const bar = row.querySelector(".timeline__bar");
    const title = bar.dataset.title;
    const track = row.querySelector(".timeline__track");
    if (!bar.title.includes(title)) problems.push(`bar of "${title}" lacks its full title`);
    // A title inside its bar, or beside it: within the track, clipped with an ellipsis.
    const inner = bar.querySelector(".timeline__bar-text");
    const outside = row.querySelector("[data-outside-label]");
    for (const label of [inner, outside]) {
      const style = getComputedStyle(label);
      if (label.hidden || style.visibility === "hidden" || rect(label).width === 0) continue;
      const box = label === inner ? rect(bar) : rect(track);
      if (rect(label).left < box.left - 0.5 || rect(label).right > box.right + 0.5)
        problems.push(`"${text(label)}" spills out of its ${label === inner ? "bar" : "track"}`);
      if (label.scrollWidth > label.clientWidth + 1 && style.textOverflow !== "ellipsis")
        problems.push(`"${text(label)}" is cut without an ellipsis`);
    }
    const heading = row.querySelector(".timeline__title");
    if (heading.scrollWidth > heading.clientWidth + 1 && heading.title !== title)
      problems.push(`the shortened label "${title}" has no full title`);
    // Each date of the range on one line.
    const dates = [...row.querySelectorAll("[data-dates] .date")];
    if (dates.length !== 2) problems.push(`"${title}": ${dates.length} dates in its range`);
    for (const date of dates) {
      const line = parseFloat(getComputedStyle(date).lineHeight) || 16;
      if (date.getClientRects().length !== 1 || rect(date).height > 1.6 * line)
        problems.push(`"${text(date)}" breaks inside the date`);
    }
  }
  // The team tabs: every one on screen, inside the bar, not hidden under a scroll.
  for (const tab of document.querySelectorAll(".team-tabs__link")) {
    const box = rect(tab);
    if (box.left < 0 || box.right > document.documentElement.clientWidth + 0.5)
      problems.push(`tab "${text(tab)}" is off-screen (${Math.round(box.left)} to ${box.right})`);
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!hit || !tab.contains(hit)) problems.push(`tab "${text(tab)}" is covered or clipped`);
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> dict[str, Any]:
    return stack.script(SEED)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_timeline_and_tabs_fit(browsers, seeded, lang, viewport):
    from support.world import Person

    person = Person("layout", "Layout", seeded["user"], seeded["session"])
    page, _ = browsers.open(person, lang=lang, viewport=viewport)
    page.goto(f"/teams/{seeded['team']}/")
    page.locator(".timeline.is-enhanced").wait_for()
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.wait_for_timeout(200)  # the labels are fitted on the next animation frame
    problems = page.evaluate(MEASURE)
    assert not problems, f"{lang} {viewport}:\n" + "\n".join(problems)
