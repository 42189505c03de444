// Team home: the milestone timeline (drag to move or resize, keyboard equivalents),
// copying the invite code, and confirmations.
import { api, announce, gettext, interpolate } from "./api.js";
import { liveTeam, readThisPage } from "./team_live.js";
import { confirmForms, copyButtons, errorMessage, progressModeToggle, showError } from "./ui.js";

const DAY_MS = 86400000;
const LEAD_DAYS = 7; // keep in step with views/timeline.py
const TRAIL_DAYS = 14;
const WEEKLY_TICKS_UP_TO = 120;
const MONTHLY_TICKS_UP_TO = 1100;
const YEARLY_TICKS_UP_TO = 9200;
const SCALES = ["week", "month", "year", "decade"];
const tickScale = (days) =>
  days <= WEEKLY_TICKS_UP_TO ? "week" : days <= MONTHLY_TICKS_UP_TO ? "month" : days <= YEARLY_TICKS_UP_TO ? "year" : "decade";
const TICK_GAP_PX = 6; // the least room between two date labels on the scale
const MIN_OUTSIDE_PX = 40; // a title beside its bar needs at least this much room
const SAVE_DELAY_MS = 600; // keyboard moves are saved once the keys pause

// Dates are whole days counted from 1970-01-01 (UTC), so no time zone can shift them.
const toDay = (iso) => {
  const [y, m, d] = iso.split("-").map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
};
const toIso = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const lang = document.documentElement.lang || undefined;
const shortDate = new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", timeZone: "UTC" });
const longDate = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" });
const monthLabel = new Intl.DateTimeFormat(lang, { month: "short", timeZone: "UTC" });
const monthYearLabel = new Intl.DateTimeFormat(lang, { month: "short", year: "numeric", timeZone: "UTC" });
const fmt = (formatter, day) => formatter.format(new Date(day * DAY_MS));
const weekday = (day) => (day + 3) % 7; // Monday = 0; day 0 was a Thursday

const STATUS_LABELS = {
  not_started: gettext("Not started"),
  in_progress: gettext("In progress"),
  completed: gettext("Completed"),
  overdue: gettext("Overdue"),
};

class Timeline {
  constructor(root) {
    this.root = root;
    this.url = root.dataset.apiUrl;
    this.today = toDay(root.dataset.today);
    this.bars = [...root.querySelectorAll(".timeline__bar")].map((el) => {
      const start = toDay(el.dataset.start);
      const end = toDay(el.dataset.end);
      return { el, row: el.closest(".timeline__row"), id: el.dataset.milestone, start, end, saved: { start, end }, timer: 0 };
    });
    this.drag = null;
    this.suppressClick = false;
    root.classList.add("is-enhanced");
    const help = document.querySelector("[data-timeline-help]");
    if (help) {
      help.hidden = false;
      for (const bar of this.bars) bar.el.setAttribute("aria-describedby", help.id);
    }
    this.layout();
    this.scrollToToday();
    root.addEventListener("pointerdown", (event) => this.onPointerDown(event));
    root.addEventListener("pointermove", (event) => this.onPointerMove(event));
    root.addEventListener("pointerup", (event) => this.onPointerUp(event));
    root.addEventListener("pointercancel", () => this.cancelDrag());
    root.addEventListener("keydown", (event) => this.onKey(event));
    root.addEventListener("focusout", (event) => {
      const bar = this.barOf(event.target);
      if (bar && bar.timer) this.saveNow(bar);
    });
    root.addEventListener("click", (event) => {
      if (this.suppressClick) { event.preventDefault(); this.suppressClick = false; }
    });
    root.addEventListener("dragstart", (event) => event.preventDefault());
  }

  // A range of years is wider than the screen: start with today in view, not 1970.
  scrollToToday() {
    const scroller = this.root.querySelector(".timeline__scroll");
    const line = this.root.querySelector(".timeline__today");
    if (!scroller || !line || scroller.scrollWidth <= scroller.clientWidth) return;
    const x = line.getBoundingClientRect().left - scroller.getBoundingClientRect().left + scroller.scrollLeft;
    scroller.scrollLeft = Math.max(0, x - scroller.clientWidth / 2);
  }

  barOf(node) {
    const el = node && node.closest ? node.closest(".timeline__bar") : null;
    return el ? this.bars.find((bar) => bar.el === el) : null;
  }

  // The displayed range: Monday-aligned, a week before the earliest date and two weeks
  // after the latest (today included), as the server draws it.
  range() {
    let first = this.today;
    let last = this.today;
    for (const bar of this.bars) { first = Math.min(first, bar.start); last = Math.max(last, bar.end); }
    let start = first - LEAD_DAYS;
    start -= weekday(start);
    return { start, end: last + TRAIL_DAYS };
  }

  layout() {
    this.shown = this.range();
    const days = this.shown.end - this.shown.start + 1;
    this.root.style.setProperty("--days", days);
    for (const bar of this.bars) this.place(bar);
    for (const line of this.root.querySelectorAll(".timeline__today")) {
      line.style.setProperty("--at", this.today - this.shown.start);
    }
    this.drawTicks(days);
    thinTicks(this.root);
  }

  drawTicks(days) {
    const ticks = this.root.querySelector("[data-ticks]");
    if (!ticks) return;
    ticks.replaceChildren();
    const add = (day, label) => {
      const tick = document.createElement("span");
      tick.className = "timeline__tick";
      tick.style.setProperty("--at", day - this.shown.start);
      tick.textContent = label;
      ticks.append(tick);
    };
    const scale = tickScale(days);
    for (const name of SCALES) this.root.classList.toggle(`timeline--${name}`, name === scale);
    if (scale === "week") {
      for (let day = this.shown.start; day <= this.shown.end; day += 7) add(day, fmt(shortDate, day));
      return;
    }
    if (scale !== "month") {
      const step = scale === "year" ? 1 : 10;
      const lastYear = new Date(this.shown.end * DAY_MS).getUTCFullYear();
      let year = new Date(this.shown.start * DAY_MS).getUTCFullYear() + 1;
      year += (step - (year % step)) % step;
      for (; year <= lastYear; year += step) add(Date.UTC(year, 0, 1) / DAY_MS, String(year));
      return;
    }
    const date = new Date(this.shown.start * DAY_MS);
    let month = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY_MS;
    let first = true;
    while (month <= this.shown.end) {
      const d = new Date(month * DAY_MS);
      if (month >= this.shown.start) {
        add(month, fmt(d.getUTCMonth() === 0 || first ? monthYearLabel : monthLabel, month));
        first = false;
      }
      month = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / DAY_MS;
    }
  }

  place(bar) {
    bar.el.style.setProperty("--start", bar.start - this.shown.start);
    bar.el.style.setProperty("--span", bar.end - bar.start + 1);
    const dates = bar.row.querySelector("[data-dates]");
    if (dates) {
      // Each date kept whole (.date never wraps); the range may break at its dash.
      const whole = (day) => Object.assign(document.createElement("span"), { className: "date", textContent: fmt(shortDate, day) });
      dates.replaceChildren(whole(bar.start), " – ", whole(bar.end));
    }
    bar.el.setAttribute("aria-label", interpolate(
      gettext("%(title)s: %(start)s to %(end)s, %(status)s, %(progress)s done"),
      {
        title: bar.el.dataset.title,
        start: fmt(longDate, bar.start),
        end: fmt(longDate, bar.end),
        status: bar.el.dataset.statusLabel,
        progress: `${bar.el.dataset.progress}%`,
      },
      true,
    ));
  }

  // --- pointer: drag the bar to move it, its ends to resize it -------------------------

  onPointerDown(event) {
    const bar = this.barOf(event.target);
    if (!bar || event.button !== 0 || bar.el.classList.contains("is-saving")) return;
    const handle = event.target.closest("[data-handle]");
    const track = bar.el.parentElement.getBoundingClientRect();
    this.drag = {
      bar,
      mode: handle ? handle.dataset.handle : "move",
      x: event.clientX,
      from: { start: bar.start, end: bar.end },
      dayWidth: track.width / (this.shown.end - this.shown.start + 1),
      moved: false,
      pointerId: event.pointerId,
    };
  }

  onPointerMove(event) {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointerId) return;
    const dx = event.clientX - drag.x;
    if (!drag.moved) {
      if (Math.abs(dx) < 4) return;
      drag.moved = true;
      drag.bar.el.setPointerCapture(event.pointerId);
      drag.bar.el.classList.add("is-dragging");
    }
    event.preventDefault();
    const delta = Math.round(dx / drag.dayWidth);
    const { start, end } = drag.from;
    const bar = drag.bar;
    if (drag.mode === "move") { bar.start = start + delta; bar.end = end + delta; }
    else if (drag.mode === "start") { bar.start = Math.min(start + delta, end); }
    else { bar.end = Math.max(end + delta, start); }
    this.place(bar);
  }

  onPointerUp(event) {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointerId) return;
    this.drag = null;
    if (!drag.moved) return; // a plain click follows the link to the edit form
    this.suppressClick = true;
    window.setTimeout(() => { this.suppressClick = false; }, 0);
    drag.bar.el.classList.remove("is-dragging");
    this.saveNow(drag.bar);
  }

  cancelDrag() {
    if (!this.drag) return;
    const { bar, from } = this.drag;
    this.drag = null;
    bar.el.classList.remove("is-dragging");
    bar.start = from.start;
    bar.end = from.end;
    this.place(bar);
  }

  // --- keyboard: arrows move, Shift+arrows change the end, Alt+arrows the start -------

  onKey(event) {
    const bar = this.barOf(event.target);
    if (!bar || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) return;
    if (event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    const step = event.key === "ArrowRight" ? 1 : -1;
    if (event.shiftKey) bar.end = Math.max(bar.end + step, bar.start);
    else if (event.altKey) bar.start = Math.min(bar.start + step, bar.end);
    else { bar.start += step; bar.end += step; }
    this.place(bar);
    window.clearTimeout(bar.timer);
    bar.timer = window.setTimeout(() => this.saveNow(bar), SAVE_DELAY_MS);
  }

  // --- saving through the API ---------------------------------------------------------

  async saveNow(bar) {
    window.clearTimeout(bar.timer);
    bar.timer = 0;
    if (bar.start === bar.saved.start && bar.end === bar.saved.end) return;
    const wanted = { start: bar.start, end: bar.end };
    bar.el.classList.add("is-saving");
    try {
      const milestone = await api(`${this.url}milestones/${bar.id}/`, {
        method: "PATCH",
        body: { start_date: toIso(wanted.start), end_date: toIso(wanted.end) },
      });
      bar.saved = { start: toDay(milestone.start_date), end: toDay(milestone.end_date) };
      // Keys pressed while saving win; otherwise take what the server stored.
      if (bar.start === wanted.start && bar.end === wanted.end) {
        bar.start = bar.saved.start;
        bar.end = bar.saved.end;
      }
      this.showStatus(bar, milestone);
      this.layout();
      announce(interpolate(gettext("%(title)s now runs from %(start)s to %(end)s."), {
        title: bar.el.dataset.title,
        start: fmt(longDate, bar.saved.start),
        end: fmt(longDate, bar.saved.end),
      }, true));
      if (bar.start !== bar.saved.start || bar.end !== bar.saved.end) this.saveNow(bar);
    } catch (error) {
      bar.start = bar.saved.start;
      bar.end = bar.saved.end;
      this.layout();
      showError(interpolate(gettext("Could not move %(title)s: %(reason)s"), {
        title: bar.el.dataset.title, reason: errorMessage(error),
      }, true));
    } finally {
      bar.el.classList.remove("is-saving");
    }
  }

  showStatus(bar, milestone) {
    if (!milestone.status) return;
    const label = STATUS_LABELS[milestone.status] || milestone.status;
    for (const status of Object.keys(STATUS_LABELS)) bar.el.classList.remove(`timeline__bar--${status}`);
    bar.el.classList.add(`timeline__bar--${milestone.status}`);
    bar.el.dataset.statusLabel = label;
    bar.el.dataset.progress = milestone.progress;
    bar.el.style.setProperty("--progress", `${milestone.progress}%`);
    const status = bar.row.querySelector("[data-status]");
    if (status) {
      status.className = `status status--${milestone.status}`;
      status.textContent = label;
    }
    const progress = bar.row.querySelector("[data-progress]");
    if (progress) progress.textContent = milestone.progress;
    this.place(bar);
  }
}

// A bar too short for its title shows it beside the bar instead (after it, or before it
// near the right end), so every milestone stays readable; the bar's tooltip has it too.
function fitLabels(root) {
  const days = Number(getComputedStyle(root).getPropertyValue("--days")) || 1;
  for (const bar of root.querySelectorAll(".timeline__bar")) {
    const text = bar.querySelector(".timeline__bar-text");
    const outside = bar.parentElement.querySelector("[data-outside-label]");
    if (!text || !outside) continue;
    bar.classList.remove("is-cramped");
    const cramped = text.scrollWidth > text.clientWidth + 1;
    bar.classList.toggle("is-cramped", cramped);
    outside.hidden = !cramped;
    if (!cramped) continue;
    outside.textContent = bar.dataset.title || text.textContent;
    const start = Number(bar.style.getPropertyValue("--start")) || 0;
    const span = Number(bar.style.getPropertyValue("--span")) || 1;
    // Only real changes: this observer's own writes must not wake it again.
    if (outside.style.getPropertyValue("--start") !== String(start)) outside.style.setProperty("--start", start);
    if (outside.style.getPropertyValue("--span") !== String(span)) outside.style.setProperty("--span", span);
    // The side with more room; with too little on both, the row's label says it alone.
    const width = bar.parentElement.clientWidth;
    const after = ((days - start - span) / days) * width;
    const before = (start / days) * width;
    outside.classList.toggle("timeline__outside--before", before > after);
    outside.hidden = Math.max(before, after) < MIN_OUTSIDE_PX;
  }
  thinTicks(root);
}

// Week or month labels that would run into each other (a phone, Korean's longer dates) are
// thinned to every second, third… one, and a label that would be cut at the end is dropped.
function thinTicks(root) {
  const box = root.querySelector("[data-ticks]");
  if (!box) return;
  const ticks = [...box.children];
  for (const tick of ticks) tick.hidden = false;
  const limit = box.getBoundingClientRect().right;
  const boxes = ticks.map((tick) => tick.getBoundingClientRect());
  const fits = (step) => {
    let lastRight = -Infinity;
    for (let i = 0; i < boxes.length; i += step) {
      if (boxes[i].left < lastRight + TICK_GAP_PX) return false;
      lastRight = boxes[i].right;
    }
    return true;
  };
  let step = 1;
  while (step < ticks.length && !fits(step)) step += 1;
  ticks.forEach((tick, i) => { tick.hidden = i % step !== 0 || boxes[i].right > limit + 0.5; });
}

function watchLabels(root) {
  let queued = false;
  const refit = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fitLabels(root); });
  };
  refit();
  new ResizeObserver(refit).observe(root);
  // The timeline moves and resizes bars (drag, keys, saves) through their style.
  new MutationObserver(refit).observe(root, { subtree: true, attributes: true, attributeFilter: ["style", "data-title"] });
}

const timeline = document.querySelector("[data-timeline]");
if (timeline) watchLabels(timeline);
// Without the API (a project that did not mount it) the bars stay links to the edit form.
let current = timeline && timeline.dataset.apiUrl ? new Timeline(timeline) : null;

// --- teammates' changes, live (team_live.js) -------------------------------------------------
// The timeline and the member list are read again from the server; the add-milestone form,
// and a bar the viewer is moving or saving, are left alone.

const busy = () => current && (current.drag || current.bars.some((bar) => bar.timer || bar.el.classList.contains("is-saving")));

async function readHome() {
  return (await readThisPage()).page;
}

function swap(fresh, selector) {
  const mine = document.querySelector(selector);
  const theirs = fresh.querySelector(selector);
  if (mine && theirs) mine.replaceWith(document.importNode(theirs, true));
}

function showTimeline(fresh) {
  const area = document.querySelector("[data-timeline-area]");
  const theirs = fresh.querySelector("[data-timeline-area]");
  if (!area || !theirs) return;
  const scroller = area.querySelector(".timeline__scroll");
  const scrollLeft = scroller ? scroller.scrollLeft : null;
  const focused = area.contains(document.activeElement) ? document.activeElement.dataset.milestone : null;
  const node = document.importNode(theirs, true);
  area.replaceWith(node);
  const root = node.querySelector("[data-timeline]");
  // The fresh timeline's labels are fitted (and its scale thinned) like the first one's.
  if (root) watchLabels(root);
  current = root && root.dataset.apiUrl ? new Timeline(root) : null;
  const fresher = node.querySelector(".timeline__scroll");
  if (fresher && scrollLeft !== null) fresher.scrollLeft = scrollLeft;
  const bar = focused && node.querySelector(`[data-milestone="${CSS.escape(focused)}"]`);
  if (bar) bar.focus({ preventScroll: true });
}

let next = null;
function refreshHome() {
  if (!next) {
    next = new Promise((resolve) => { window.setTimeout(resolve, 80); }).then(async () => {
      next = null;
      for (let tries = 0; tries < 600; tries++) {
        const fresh = await readHome();
        if (!fresh) return;
        if (busy()) {
          await new Promise((resolve) => { window.setTimeout(resolve, 100); });
          continue;
        }
        showTimeline(fresh);
        swap(fresh, "[data-member-list]");
        swap(fresh, "[data-member-count]");
        for (const panel of document.querySelectorAll("[data-team-panel]")) {
          swap(fresh, `[data-team-panel="${CSS.escape(panel.dataset.teamPanel)}"]`);
        }
        return;
      }
    });
  }
  return next;
}

const HOME_TYPES = new Set(["milestone.changed", "todo.changed", "todo.deleted", "member.joined", "member.left"]);
// The apps' panels (navigation.TeamHomePanel) name the events they follow: a type, or a
// prefix ending in "." ("meeting.").
function panelFollows(type) {
  return [...document.querySelectorAll("[data-team-panel-events]")].some((panel) =>
    panel.dataset.teamPanelEvents.split(" ").some((want) => want && (want.endsWith(".") ? type.startsWith(want) : type === want)));
}
liveTeam({
  onEvent: (event) => (HOME_TYPES.has(event.type) || panelFollows(event.type) ? refreshHome() : null),
  onResync: refreshHome,
});
for (const form of document.querySelectorAll("form")) progressModeToggle(form);
copyButtons();
confirmForms();
