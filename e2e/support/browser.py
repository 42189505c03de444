"""What every page must show a person: no console error, no failed request, no sideways
scroll, no serious or critical accessibility violation (axe-core, vendored)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response

AXE_SOURCE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
LOCALES = {"en": "en-GB", "ko": "ko-KR"}


@dataclass
class Monitor:
    """Collects what went wrong on every page of one browser context."""

    problems: list[str] = field(default_factory=list)
    # (status, URL pattern) pairs a journey expects, e.g. a 404 it provokes on purpose.
    expected: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> Monitor:
        context.on("page", self._watch)
        for page in context.pages:
            self._watch(page)
        return self

    def expect(self, status: int, url_pattern: str) -> None:
        self.expected.append((status, re.compile(url_pattern)))

    def _is_expected(self, status: int, url: str) -> bool:
        return any(s == status and p.search(url) for s, p in self.expected)

    def _watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        # Chromium logs every 4xx/5xx resource as a console error: judged by _response.
        if text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.problems.append(f"console error: {text} ({message.location.get('url', '')})")

    def _failed(self, request: Request) -> None:
        failure = request.failure or ""
        # A navigation or download the page itself replaced is not a failure to a person,
        # nor a read the page dropped because it was left or reloaded meanwhile (a write
        # dropped that way still counts).
        if "ERR_ABORTED" in failure and (
            request.resource_type in {"document", "other"}
            or (request.resource_type in {"fetch", "xhr"} and request.method in {"GET", "HEAD"})
        ):
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({failure})")

    def _response(self, response: Response) -> None:
        if response.status < 400 or self._is_expected(response.status, response.url):
            return
        self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def take(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems


_AXE: list[str] = []


def _axe_source() -> str:
    if not _AXE:
        _AXE.append(AXE_SOURCE.read_text() + "\n;undefined")
    return _AXE[0]


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[Any]:
    """axe-core's violations of the given impacts on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's CSP forbids inline scripts.
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: '
                    + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[Any]) -> str:
    return "\n".join(
        f"  {v['impact']}: {v['id']} ({v['help']})\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )


# The properties that tell a control the site styled from the browser's bare box.
_CONTROL_STYLE = """() => {
  const props = ["border-top-style", "border-top-width", "border-top-color",
    "border-top-left-radius", "font-family", "background-color"];
  const probe = document.createElement("input");
  probe.type = "text";
  (document.querySelector("main") || document.body).append(probe);
  const site = getComputedStyle(probe);
  const want = Object.fromEntries(props.map((p) => [p, site.getPropertyValue(p)]));
  probe.remove();
  const notText = new Set(["hidden", "checkbox", "radio", "range", "color", "submit", "button",
    "reset", "image"]);
  const found = [];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.tagName === "INPUT" && notText.has(el.type)) continue;
    const style = getComputedStyle(el);
    const off = props.filter((p) => style.getPropertyValue(p) !== want[p]);
    if (off.length) {
      const type = el.getAttribute("type") ?? "";
      const name = `${el.tagName.toLowerCase()}[type=${type}]#${el.id || el.name}`;
      const says = off.map((p) => `${p} ${style.getPropertyValue(p)} (site: ${want[p]})`);
      found.push(`${name}: ${says.join(", ")}`);
    }
  }
  return found;
}"""


def unstyled_controls(page: Page) -> list[str]:
    """Every text-like form control on the page (closed dialogs included) whose border, corner,
    font or background differ from the site's own text input: a control the stylesheet
    missed is a bare browser box."""
    return page.evaluate(_CONTROL_STYLE)
