// The team heatmap (shade = members free; names on hover and focus) and the best slots list.

import { gettext, interpolate, ngettext } from "../../teammoa_core/js/api.js";
import { clockLabel } from "../../teammoa_core/js/dates.js";
import { HOURS, dayLabel, shortDayLabel, stepHour } from "./grid.js";

function names(ids, byId) {
  return ids.map((id) => byId.get(id) || `#${id}`).join(", ");
}

export class Heatmap {
  constructor(table, tooltip) {
    this.table = table;
    this.tooltip = tooltip;
    this.rows = [...table.tBodies[0].rows].map((row) => [...row.cells].filter((c) => c.tagName === "TD"));
    table.addEventListener("mouseover", (e) => this.show(e.target.closest("td[data-hour]")));
    table.addEventListener("mouseleave", () => this.hide());
    table.addEventListener("focusin", (e) => this.show(e.target.closest("td[data-hour]")));
    table.addEventListener("focusout", () => this.hide());
    table.addEventListener("keydown", (e) => this.onKeyDown(e));
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") this.hide(); });
  }

  render(data) {
    // A teammate's change re-renders under a tooltip someone is reading: show it again.
    const reading = this.tooltip.hidden ? null : this.shown;
    const byId = new Map(data.members.map((m) => [m.id, m.name]));
    const total = Math.max(data.member_count, 1);
    data.days.forEach((day, index) => {
      for (let hour = 0; hour < HOURS; hour++) {
        const cell = this.rows[hour][index];
        const who = day.who[String(hour)] || { free: [], if_needed: [] };
        const free = day.free[hour];
        const maybe = day.if_needed[hour];
        const level = free / total;
        cell.dataset.date = day.date;
        cell.style.setProperty("--level", level.toFixed(3));
        cell.classList.toggle("heat--maybe", maybe > 0);
        cell.toggleAttribute("data-strong", level > 0.55);
        // Shown by CSS (.heat::after): the cell's name is its aria-label, which says the same
        // in words, and a text node that differs from it fails WCAG 2.5.3 (label in name).
        cell.dataset.count = `${free || ""}${maybe ? `+${maybe}` : ""}`;
        const parts = [];
        const canCome = new Set([...who.free, ...who.if_needed]);
        const cannot = data.members.map((m) => m.id).filter((id) => !canCome.has(id));
        if (who.free.length) parts.push(`${gettext("Can come")}: ${names(who.free, byId)}`);
        if (who.if_needed.length) parts.push(`${gettext("Only if needed")}: ${names(who.if_needed, byId)}`);
        if (cannot.length) parts.push(`${gettext("Cannot come")}: ${names(cannot, byId)}`);
        cell.dataset.tip = parts.join("\n");
        cell.removeAttribute("title"); // the tooltip replaces the no-JavaScript title
        const counts = interpolate(gettext("%(free)s of %(total)s free, %(maybe)s if needed"),
          { free, total: data.member_count, maybe }, true);
        cell.setAttribute("aria-label", [`${dayLabel(day.date)}, ${clockLabel(hour)}: ${counts}`, ...parts].join(". "));
      }
    });
    if (reading) this.show(reading);
    else this.hide();
  }

  // Outline the hours of the team's meetings; the tooltip names the meeting.
  markMeetings(meetings) {
    for (const cells of this.rows) {
      for (const cell of cells) {
        cell.classList.remove("heat--meeting");
        delete cell.dataset.meeting;
      }
    }
    for (const meeting of meetings) {
      const first = Number(meeting.start.slice(0, 2));
      const [endHour, endMinute] = meeting.end.split(":").map(Number);
      const last = endMinute ? endHour + 1 : endHour;
      for (let hour = first; hour < Math.min(last, HOURS); hour++) {
        const cell = this.table.querySelector(`td[data-date="${meeting.date}"][data-hour="${hour}"]`);
        if (!cell) continue;
        cell.classList.add("heat--meeting");
        cell.dataset.meeting = cell.dataset.meeting ? `${cell.dataset.meeting}, ${meeting.title}` : meeting.title;
      }
    }
  }

  show(cell) {
    if (!cell) return;
    this.shown = cell;
    const counts = cell.getAttribute("aria-label").split(". ")[0];
    const tip = cell.dataset.tip ?? (cell.getAttribute("title") || "").replaceAll("; ", "\n");
    const meeting = cell.dataset.meeting ? [`${gettext("Meeting")}: ${cell.dataset.meeting}`] : [];
    this.tooltip.replaceChildren(
      ...[counts, ...meeting, ...tip.split("\n").filter(Boolean)].map((line) => {
        const p = document.createElement("p");
        p.textContent = line;
        return p;
      }),
    );
    this.tooltip.hidden = false;
    cell.setAttribute("aria-describedby", this.tooltip.id);
    const box = cell.getBoundingClientRect();
    const tip2 = this.tooltip.getBoundingClientRect();
    const left = Math.min(window.innerWidth - tip2.width - 8, Math.max(8, box.left + box.width / 2 - tip2.width / 2));
    const top = box.top - tip2.height - 8 < 8 ? box.bottom + 8 : box.top - tip2.height - 8;
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${top}px`;
  }

  hide() {
    this.tooltip.hidden = true;
  }

  onKeyDown(event) {
    const cell = event.target.closest("td[data-hour]");
    const moves = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
    if (!cell || !(event.key in moves)) return;
    event.preventDefault();
    const [dx, dy] = moves[event.key];
    const day = Math.max(0, Math.min(6, cell.cellIndex - 1 + dx));
    const hour = stepHour(this.rows, cell.parentElement.sectionRowIndex, dy);
    const next = this.rows[hour][day];
    for (const cells of this.rows) for (const c of cells) c.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  }
}

export function renderSlots(list, empty, summary, data, icsUrl, canPlan = false) {
  const byId = new Map(data.members.map((m) => [m.id, m.name]));
  list.replaceChildren(
    ...data.best_slots.map((slot) => {
      const item = document.createElement("li");
      item.className = "slot";
      const when = document.createElement("div");
      when.className = "slot__when";
      const strong = document.createElement("strong");
      strong.textContent = shortDayLabel(slot.date);
      when.append(strong, ` ${clockLabel(slot.start)}–${clockLabel(slot.end)}`);
      const who = document.createElement("div");
      who.className = "slot__who";
      const parts = [interpolate(gettext("%(count)s of %(total)s can come"),
        { count: slot.free.length + slot.if_needed.length, total: data.member_count }, true)];
      if (slot.free.length) parts.push(`${gettext("Free")}: ${names(slot.free, byId)}`);
      if (slot.if_needed.length) parts.push(`${gettext("If needed")}: ${names(slot.if_needed, byId)}`);
      who.textContent = parts.join(" · ");
      item.append(when, who);
      if (icsUrl) {
        const link = document.createElement("a");
        link.className = "button button--small button--ghost";
        link.href = `${icsUrl}?${new URLSearchParams({ date: slot.date, start: slot.start, end: slot.end })}`;
        link.download = "";
        link.textContent = gettext("Add to calendar");
        item.append(link);
      }
      if (canPlan) {
        const plan = document.createElement("button");
        plan.type = "button";
        plan.className = "button button--small";
        Object.assign(plan.dataset, { planSlot: "", date: slot.date, start: slot.start, end: slot.end });
        plan.textContent = gettext("Meet then");
        item.append(plan);
      }
      return item;
    }),
  );
  empty.hidden = data.best_slots.length > 0;
  summary.textContent = interpolate(
    ngettext("Slots where at least %(count)s member can come.", "Slots where at least %(count)s members can come.", data.min),
    { count: data.min }, true);
}
