// My week grid: click-drag (mouse, pen or touch) paints a rectangle of cells, starting on a
// cell already in the brush's state erases; the keyboard paints too (see KEY_HELP in the page).

import { gettext, interpolate } from "../../teammoa_core/js/api.js";
import { clockLabel } from "../../teammoa_core/js/dates.js";

export const STATES = ["free", "if_needed", "busy"];
export const HOURS = 24;

export function stateLabel(state) {
  if (state === "free") return gettext("free");
  if (state === "if_needed") return gettext("if needed");
  return gettext("busy");
}

// The whole weekday and month, as the server writes them for screen readers
// (dates.long_day_label): "Tuesday 8 December", "12월 8일 화요일".
export function dayLabel(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const lang = document.documentElement.lang || undefined;
  const part = (options) => new Intl.DateTimeFormat(lang, { ...options, timeZone: "UTC" }).format(date);
  return interpolate(gettext("%(long_weekday)s %(day)s %(long_month)s"),
    { long_weekday: part({ weekday: "long" }), day: String(d), long_month: part({ month: "long" }) }, true);
}

// "15:00": the value of a time field (meetings.js). What a person reads is clockLabel.
export const hourLabel = (hour) => `${String(hour).padStart(2, "0")}:00`;

// Dates as the server writes them (teammoa/schedule/dates.py, the same translated
// patterns): "Tue 8 Dec" / "12월 8일 (화)", and a week as "7 – 13 Dec" / "12월 7일 – 13일".
const pgettext = (context, message) =>
  typeof window.pgettext === "function" ? window.pgettext(context, message) : message;

function weekdayShort(index) {
  // index: 0 = Monday
  return [
    pgettext("short weekday", "Mon"), pgettext("short weekday", "Tue"), pgettext("short weekday", "Wed"),
    pgettext("short weekday", "Thu"), pgettext("short weekday", "Fri"), pgettext("short weekday", "Sat"),
    pgettext("short weekday", "Sun"),
  ][index];
}

function dateParts(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const lang = document.documentElement.lang || undefined;
  return {
    weekday: weekdayShort((date.getUTCDay() + 6) % 7),
    day: String(d),
    month: new Intl.DateTimeFormat(lang, { month: "short", timeZone: "UTC" }).format(date),
    year: String(y),
    monthIndex: m,
  };
}

export const weekdayLabel = (isoDate) => dateParts(isoDate).weekday;
export const shortDayLabel = (isoDate) => interpolate(gettext("%(weekday)s %(day)s %(month)s"), dateParts(isoDate), true);
export const shortDateLabel = (isoDate) => interpolate(gettext("%(day)s %(month)s"), dateParts(isoDate), true);

export function weekRangeLabel(first, last, today) {
  const a = dateParts(first);
  const b = dateParts(last);
  if (a.year !== b.year) {
    return interpolate(gettext("%(first_day)s %(first_month)s %(first_year)s – %(last_day)s %(last_month)s %(last_year)s"), {
      first_day: a.day, first_month: a.month, first_year: a.year, last_day: b.day, last_month: b.month, last_year: b.year,
    }, true);
  }
  const text = a.monthIndex === b.monthIndex
    ? interpolate(gettext("%(first_day)s – %(last_day)s %(month)s"), { first_day: a.day, last_day: b.day, month: b.month }, true)
    : interpolate(gettext("%(first_day)s %(first_month)s – %(last_day)s %(last_month)s"), {
      first_day: a.day, first_month: a.month, last_day: b.day, last_month: b.month,
    }, true);
  return a.year !== today.slice(0, 4) ? interpolate(gettext("%(range)s %(year)s"), { range: text, year: b.year }, true) : text;
}

// Rows hidden by the hours shown are skipped by the keyboard: moves land on visible hours.
export function visibleHours(rows) {
  const hours = [];
  rows.forEach((cells, hour) => { if (!cells[0].parentElement.hidden) hours.push(hour); });
  return hours;
}

export function stepHour(rows, hour, steps) {
  const hours = visibleHours(rows);
  if (!hours.length) return hour;
  let index = hours.indexOf(hour);
  if (index < 0) index = hours.findIndex((h) => h > hour);
  if (index < 0) index = hours.length - 1;
  return hours[Math.max(0, Math.min(hours.length - 1, index + steps))];
}

export class PaintGrid {
  constructor(table, { brush, onChange }) {
    this.table = table;
    this.brush = brush; // () => "free" | "if_needed" | "busy"
    this.onChange = onChange; // called after a stroke or key paint is committed
    this.rows = [...table.tBodies[0].rows].map((row) => [...row.cells].filter((c) => c.tagName === "TD"));
    this.drag = null;
    this.dates = this.rows[0].map((cell) => cell.dataset.date);
    table.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    table.addEventListener("pointermove", (e) => this.onPointerMove(e));
    table.addEventListener("pointerup", (e) => this.onPointerUp(e));
    table.addEventListener("pointercancel", () => this.cancelDrag());
    table.addEventListener("lostpointercapture", (e) => this.onPointerUp(e));
    table.addEventListener("keydown", (e) => this.onKeyDown(e));
    table.addEventListener("focusin", (e) => { if (e.target.tagName === "TD") this.focusCell(e.target, false); });
  }

  cell(day, hour) {
    return this.rows[hour] && this.rows[hour][day];
  }

  position(cell) {
    return { day: cell.cellIndex - 1, hour: cell.parentElement.sectionRowIndex };
  }

  setState(cell, state) {
    cell.dataset.state = state;
    cell.className = `cell cell--${state}`;
    cell.setAttribute(
      "aria-label",
      `${dayLabel(cell.dataset.date)}, ${clockLabel(Number(cell.dataset.hour))}: ${stateLabel(state)}`,
    );
  }

  // --- whole-week data ----------------------------------------------------------------------

  setWeek(days) {
    this.dates = days.map((day) => day.date);
    days.forEach((day, index) => {
      const free = new Set(day.available);
      const maybe = new Set(day.if_needed);
      for (let hour = 0; hour < HOURS; hour++) {
        const cell = this.cell(index, hour);
        cell.dataset.date = day.date;
        this.setState(cell, free.has(hour) ? "free" : maybe.has(hour) ? "if_needed" : "busy");
      }
    });
  }

  toDays() {
    return this.dates.map((date, index) => {
      const available = [];
      const ifNeeded = [];
      for (let hour = 0; hour < HOURS; hour++) {
        const state = this.cell(index, hour).dataset.state;
        if (state === "free") available.push(hour);
        else if (state === "if_needed") ifNeeded.push(hour);
      }
      return { date, available, if_needed: ifNeeded };
    });
  }

  // Paint every cell for which predicate(dayIndex, hour) is true; one change for the lot.
  fill(predicate, state) {
    let changed = false;
    this.rows.forEach((cells, hour) => cells.forEach((cell, day) => {
      if (predicate(day, hour) && cell.dataset.state !== state) {
        this.setState(cell, state);
        changed = true;
      }
    }));
    if (changed) this.onChange();
    return changed;
  }

  // --- pointer painting ---------------------------------------------------------------------

  cellAt(x, y) {
    const element = document.elementFromPoint(x, y);
    const cell = element && element.closest("td[data-hour]");
    return cell && this.table.contains(cell) ? cell : null;
  }

  onPointerDown(event) {
    if (event.button !== 0) return;
    const cell = event.target.closest("td[data-hour]");
    if (!cell) return;
    event.preventDefault();
    const brush = this.brush();
    const target = cell.dataset.state === brush && brush !== "busy" ? "busy" : brush;
    const snapshot = this.rows.map((cells) => cells.map((c) => c.dataset.state));
    this.drag = { pointer: event.pointerId, anchor: this.position(cell), target, snapshot, last: null };
    try { this.table.setPointerCapture(event.pointerId); } catch { /* synthetic events */ }
    this.focusCell(cell, true);
    this.paintRectangle(this.position(cell));
  }

  onPointerMove(event) {
    if (!this.drag || event.pointerId !== this.drag.pointer) return;
    const cell = this.cellAt(event.clientX, event.clientY);
    if (!cell) return;
    const position = this.position(cell);
    const last = this.drag.last;
    if (last && last.day === position.day && last.hour === position.hour) return;
    this.paintRectangle(position);
  }

  paintRectangle(to) {
    const { anchor, target, snapshot } = this.drag;
    this.drag.last = to;
    const [d0, d1] = [Math.min(anchor.day, to.day), Math.max(anchor.day, to.day)];
    const [h0, h1] = [Math.min(anchor.hour, to.hour), Math.max(anchor.hour, to.hour)];
    this.rows.forEach((cells, hour) => cells.forEach((cell, day) => {
      const inside = day >= d0 && day <= d1 && hour >= h0 && hour <= h1;
      const state = inside ? target : snapshot[hour][day];
      if (cell.dataset.state !== state) this.setState(cell, state);
    }));
  }

  onPointerUp(event) {
    if (!this.drag || event.pointerId !== this.drag.pointer) return;
    const { snapshot } = this.drag;
    this.drag = null;
    const changed = this.rows.some((cells, hour) => cells.some((cell, day) => cell.dataset.state !== snapshot[hour][day]));
    if (changed) this.onChange();
  }

  cancelDrag() {
    if (!this.drag) return;
    const { snapshot } = this.drag;
    this.drag = null;
    this.rows.forEach((cells, hour) => cells.forEach((cell, day) => this.setState(cell, snapshot[hour][day])));
  }

  // --- keyboard -----------------------------------------------------------------------------

  focusCell(cell, move = true) {
    for (const cells of this.rows) for (const c of cells) c.tabIndex = -1;
    cell.tabIndex = 0;
    if (move) cell.focus({ preventScroll: false });
  }

  paintKey(cell, toggle) {
    const brush = this.brush();
    const state = toggle && cell.dataset.state === brush && brush !== "busy" ? "busy" : brush;
    if (cell.dataset.state === state) return false;
    this.setState(cell, state);
    return true;
  }

  onKeyDown(event) {
    const cell = event.target.closest("td[data-hour]");
    if (!cell) return;
    const { day, hour } = this.position(cell);
    const moves = {
      ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0],
      Home: [-day, 0], End: [this.dates.length - 1 - day, 0],
      PageUp: [0, -6], PageDown: [0, 6],
    };
    if (event.key in moves) {
      event.preventDefault();
      const [dx, dy] = moves[event.key];
      const next = this.cell(Math.max(0, Math.min(this.dates.length - 1, day + dx)), stepHour(this.rows, hour, dy));
      if (!next) return;
      if (event.shiftKey) {
        const changed = [this.paintKey(cell, false), this.paintKey(next, false)].some(Boolean);
        if (changed) this.onChange();
      }
      this.focusCell(next);
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (this.paintKey(cell, true)) this.onChange();
    } else if (["1", "2", "3"].includes(event.key)) {
      const radio = document.querySelector(`input[name=brush][value=${STATES[Number(event.key) - 1]}]`);
      if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    }
  }
}
