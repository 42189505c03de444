// The schedule page: paint my week (saved automatically), move between weeks, quick fills,
// my usual week, .ics import, and the team heatmap and best slots kept up to date.

import { api, announce, gettext, interpolate, ngettext } from "../../teammoa_core/js/api.js";
import { liveTeam, throttled } from "../../teammoa_core/js/team_live.js";
import { clockLabel } from "../../teammoa_core/js/dates.js";
import { PaintGrid, dayLabel, shortDateLabel, weekRangeLabel, weekdayLabel } from "./grid.js";
import { Heatmap, renderSlots } from "./heatmap.js";
import { Meetings, feedPanel } from "./meetings.js";

const SAVE_DELAY_MS = 400;

function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

function describe(error) {
  if (error && error.fields && Object.keys(error.fields).length) {
    return Object.entries(error.fields).map(([field, messages]) => `${field}: ${[].concat(messages).join(" ")}`).join("; ");
  }
  return (error && error.message) || gettext("Something went wrong.");
}

// ISO week of a "YYYY-MM-DD" date (Thursday decides the year).
function isoWeekOf(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = new Date(Date.UTC(date.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((date - yearStart) / 86400000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

function addDays(isoDate, days) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function init(root) {
  const config = readJson("schedule-config");
  const urls = config.urls;
  let week = config.week;
  const thisWeek = config.thisWeek;
  const status = root.querySelector("[data-save-status]");
  const brush = () => (root.querySelector("input[name=brush]:checked") || {}).value || "free";
  const grid = new PaintGrid(root.querySelector("[data-my-grid]"), { brush, onChange: queueSave });
  const heatmap = new Heatmap(root.querySelector("[data-heatmap]"), root.querySelector("[data-heat-tooltip]"));
  const slotForm = root.querySelector("[data-slot-form]");
  const slotList = root.querySelector("[data-best-slots]");
  const noSlots = root.querySelector("[data-no-slots]");
  const slotSummary = root.querySelector("[data-slot-summary]");
  const usualNote = root.querySelector("[data-usual-note]");
  const importForm = root.querySelector("[data-import-form]");
  heatmap.render(readJson("schedule-availability"));

  if (!urls.my_week) {
    setStatus("error", gettext("Saving is unavailable: the schedule API is not installed."));
    return;
  }

  // --- saving: one request at a time, the latest grid wins ----------------------------------
  let dirty = false;
  let saving = null;
  let timer = null;

  function setStatus(state, text, retry = false) {
    status.dataset.state = state;
    status.replaceChildren(text);
    if (retry) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = gettext("Retry");
      button.addEventListener("click", () => { dirty = true; save(); });
      status.append(" ", button);
    }
  }

  function queueSave() {
    dirty = true;
    setStatus("saving", gettext("Saving…"));
    window.clearTimeout(timer);
    timer = window.setTimeout(save, SAVE_DELAY_MS);
  }

  async function save() {
    window.clearTimeout(timer);
    if (saving || !dirty) return saving;
    dirty = false;
    setStatus("saving", gettext("Saving…"));
    const body = { week, days: grid.toDays() };
    saving = api(`${urls.my_week}?week=${encodeURIComponent(week)}`, { method: "PUT", body });
    try {
      await saving;
      if (!dirty) {
        setStatus("saved", gettext("Saved"));
        usualNote.hidden = true;
        refreshTeam();
      }
    } catch (error) {
      dirty = true;
      setStatus("error", interpolate(gettext("Not saved: %(error)s"), { error: describe(error) }, true), true);
      announce(gettext("Your week was not saved."));
      saving = null;
      return null;
    }
    saving = null;
    if (dirty) return save();
    return null;
  }

  async function flush() {
    if (dirty || saving) {
      window.clearTimeout(timer);
      await save();
      while (saving) await saving.catch(() => {});
    }
  }

  window.addEventListener("beforeunload", (event) => {
    if (dirty || saving) event.preventDefault();
  });

  // --- the team side --------------------------------------------------------------------------
  function slotParams() {
    const params = new URLSearchParams({ week });
    const data = new FormData(slotForm);
    if (data.get("min")) params.set("min", data.get("min"));
    if (data.get("length")) params.set("length", data.get("length"));
    const required = data.getAll("required");
    if (required.length) params.set("required", required.join(","));
    return params;
  }

  const slotErrors = slotForm.querySelector("[data-slot-errors]");

  // The slot search last asked for: a teammate's change refreshes with it, not with what
  // the viewer is still typing into the form.
  let applied = slotParams();

  async function refreshTeam({ live = false } = {}) {
    const params = live ? new URLSearchParams(applied) : slotParams();
    params.set("week", week);
    if (!live) applied = params;
    try {
      const data = await api(`${urls.availability}?${params}`);
      heatmap.render(data);
      if (meetings) heatmap.markMeetings(meetings.meetings);
      if (config.hours.default) followPaintedHours(data);
      renderSlots(slotList, noSlots, slotSummary, data, urls.slot_ics, Boolean(meetings));
      if (!live) slotForm.querySelector("[name=length]").value = data.length;
      slotErrors.textContent = "";
      return true;
    } catch (error) {
      slotErrors.textContent = describe(error);
      return false;
    }
  }

  // Teammates' changes (team_live.js): the heatmap and the best slots follow them; my own
  // grid, and anything typed into the slot form, stay as they are.
  const liveRefresh = throttled(() => refreshTeam({ live: true }), 100);
  liveTeam({
    onEvent: (event) => {
      if (event.type === "schedule.week_saved" && event.week !== week) return;
      if (event.type.startsWith("schedule.") || event.type.startsWith("member.")) liveRefresh();
      if (event.type.startsWith("meeting.") && meetings) meetings.refresh().catch(() => {});
    },
    onResync: () => {
      liveRefresh();
      if (meetings) meetings.refresh().catch(() => {});
    },
  });

  slotForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await refreshTeam()) announce(slotSummary.textContent);
  });

  // --- weeks ----------------------------------------------------------------------------------
  function showWeek(days) {
    grid.setWeek(days);
    usualNote.hidden = !days.some((day) => day.from_usual);
    const first = days[0].date;
    const last = days[days.length - 1].date;
    for (const head of root.querySelectorAll("[data-day-head]")) {
      const date = days[Number(head.dataset.dayHead)].date;
      head.querySelector(".week-grid__weekday").textContent = weekdayLabel(date);
      head.querySelector(".week-grid__date").textContent = shortDateLabel(date);
    }
    const label = root.querySelector("[data-week-label]");
    label.querySelector("[data-week-code]").textContent = week;
    label.querySelector("[data-week-range]").textContent = weekRangeLabel(first, last, config.today);
    const links = { prev: isoWeekOf(addDays(first, -7)), next: isoWeekOf(addDays(first, 7)) };
    for (const link of root.querySelectorAll("[data-week-link]")) {
      const target = link.rel ? links[link.rel] : thisWeek;
      // Weeks are ISO strings, so comparing them as text orders them.
      const allowed = target >= config.weeks.first && target <= config.weeks.last;
      link.dataset.weekLink = allowed ? target : "";
      if (allowed) {
        link.href = `?week=${target}`;
        link.removeAttribute("aria-disabled");
      } else {
        link.removeAttribute("href");
        link.setAttribute("aria-disabled", "true");
      }
    }
    for (const input of root.querySelectorAll("input[name=week]")) input.value = week;
    if (importForm) importForm.action = `${urls.import}?week=${encodeURIComponent(week)}`;
  }

  async function goToWeek(target, push = true) {
    await flush();
    try {
      const mine = await api(`${urls.my_week}?week=${encodeURIComponent(target)}`);
      week = mine.week;
      showWeek(mine.days);
      setStatus("saved", gettext("Saved"));
      if (push) window.history.pushState({ week }, "", `?week=${week}`);
      await refreshTeam();
      announce(root.querySelector("[data-week-range]").textContent);
      if (meetings) meetings.refresh().catch(() => {});
    } catch (error) {
      setStatus("error", describe(error));
    }
  }

  root.addEventListener("click", (event) => {
    const link = event.target.closest("[data-week-link]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (link.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
    event.preventDefault();
    goToWeek(link.dataset.weekLink || thisWeek);
  });
  window.addEventListener("popstate", (event) => goToWeek((event.state && event.state.week) || thisWeek, false));
  window.history.replaceState({ week }, "");

  // --- quick fills and my usual week ----------------------------------------------------------
  const [workFrom, workTo] = config.workingHours;
  const fills = {
    working: (day, hour) => day < 5 && hour >= workFrom && hour < workTo,
    evenings: (day, hour) => hour >= 18 && hour < 22,
    weekdays: (day, hour) => day < 5 && hour >= 9 && hour < 22,
    weekend: (day, hour) => day >= 5 && hour >= 9 && hour < 22,
  };

  async function fillUsual() {
    try {
      const usual = await api(urls.my_usual_week);
      const byWeekday = new Map(usual.days.map((day) => [day.weekday, day]));
      const days = grid.toDays().map((day, index) => {
        const source = byWeekday.get(index + 1) || { available: [], if_needed: [] };
        return { date: day.date, available: source.available, if_needed: source.if_needed };
      });
      grid.setWeek(days);
      queueSave();
    } catch (error) {
      setStatus("error", describe(error));
    }
  }

  root.querySelector(".quick-fills").addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.fill === "usual") return fillUsual();
    if (button.dataset.fill) {
      if (!grid.fill(fills[button.dataset.fill], brush())) announce(gettext("Nothing to change."));
      return undefined;
    }
    if (button.hasAttribute("data-clear-week")) {
      clearDone.hidden = true;
      clearConfirm.hidden = false;
      clearConfirm.querySelector("[data-clear-yes]").focus();
      return undefined;
    }
    if (button.hasAttribute("data-save-usual")) {
      const days = grid.toDays().map((day, index) => ({ weekday: index + 1, available: day.available, if_needed: day.if_needed }));
      try {
        await api(urls.my_usual_week, { method: "PUT", body: { days } });
        announce(gettext("Saved as your usual week."));
        setStatus("saved", gettext("Saved as your usual week."));
      } catch (error) {
        setStatus("error", describe(error));
      }
    }
    return undefined;
  });

  // --- clear week: ask first, undo after ------------------------------------------------------
  const clearButton = root.querySelector("[data-clear-week]");
  const clearConfirm = root.querySelector("[data-clear-confirm]");
  const clearDone = root.querySelector("[data-clear-done]");
  let beforeClear = null; // { week, days }

  function closeClear() {
    clearConfirm.hidden = true;
    clearButton.focus();
  }
  clearConfirm.querySelector("[data-clear-no]").addEventListener("click", closeClear);
  clearConfirm.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); closeClear(); }
  });
  clearConfirm.querySelector("[data-clear-yes]").addEventListener("click", () => {
    clearConfirm.hidden = true;
    const days = grid.toDays();
    if (!grid.fill(() => true, "busy")) {
      announce(gettext("Nothing to change."));
      clearButton.focus();
      return;
    }
    beforeClear = { week, days };
    clearDone.hidden = false;
    clearDone.querySelector("[data-clear-undo]").focus();
    announce(gettext("Week cleared."));
  });
  clearDone.querySelector("[data-clear-undo]").addEventListener("click", () => {
    if (!beforeClear) return;
    clearDone.hidden = true;
    if (beforeClear.week === week) {
      grid.setWeek(beforeClear.days);
      queueSave();
    } else {
      api(`${urls.my_week}?week=${encodeURIComponent(beforeClear.week)}`, { method: "PUT", body: beforeClear });
    }
    beforeClear = null;
    clearButton.focus();
    announce(gettext("The week is back as it was."));
  });

  // --- the hours shown: the team's setting, all 24 on request --------------------------------
  const hoursBox = root.querySelector("[data-hours-shown]");
  const showAll = hoursBox.querySelector("[data-show-all]");
  let range = { first: config.hours.first, last: config.hours.last };

  // Without a team setting the hours shown are 08–22 widened to what the team painted in
  // the week shown (as the server computes them: services/display.py).
  function followPaintedHours(data) {
    let first = 8;
    let last = 22;
    for (const day of data.days) {
      day.free.forEach((count, hour) => {
        if (count || day.if_needed[hour]) { first = Math.min(first, hour); last = Math.max(last, hour + 1); }
      });
    }
    if (first !== range.first || last !== range.last) {
      range = { first, last };
      applyHours();
      hoursBox.querySelector("[data-hours-label] span").textContent =
        interpolate(gettext("Hours shown: %(first)s–%(last)s"), { first: clockLabel(first), last: clockLabel(last) }, true);
    }
  }

  function applyHours() {
    const all = showAll.getAttribute("aria-pressed") === "true";
    for (const table of root.querySelectorAll("[data-my-grid], [data-heatmap]")) {
      [...table.tBodies[0].rows].forEach((row, hour) => {
        row.hidden = !all && (hour < range.first || hour >= range.last);
      });
    }
    showAll.hidden = range.first === 0 && range.last === 24;
  }
  showAll.addEventListener("click", () => {
    showAll.setAttribute("aria-pressed", String(showAll.getAttribute("aria-pressed") !== "true"));
    applyHours();
  });
  applyHours();

  const hoursForm = hoursBox.querySelector("[data-hours-form]");
  if (hoursForm && urls.settings) {
    const hoursErrors = hoursForm.querySelector("[data-hours-errors]");
    async function saveHours(body) {
      hoursErrors.textContent = "";
      try {
        await api(urls.settings, { method: "PUT", body });
        // Reload the page's numbers: the default depends on the week, a setting does not.
        window.location.reload();
      } catch (error) {
        hoursErrors.textContent = describe(error);
      }
    }
    hoursForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(hoursForm);
      saveHours({ first_hour: Number(data.get("first_hour")), last_hour: Number(data.get("last_hour")) });
    });
    hoursForm.querySelector("[data-hours-reset]").addEventListener("click", () => saveHours({ first_hour: null, last_hour: null }));
  }

  // --- meetings and the calendar address -----------------------------------------------------
  const meetingsRoot = root.querySelector("[data-meetings]");
  const meetings = urls.meetings && meetingsRoot
    ? new Meetings(meetingsRoot, {
      url: urls.meetings,
      week: () => week,
      today: config.today,
      meetings: readJson("schedule-meetings") || [],
      onChange: (list) => heatmap.markMeetings(list),
    })
    : null;
  if (meetings) heatmap.markMeetings(meetings.meetings);
  if (meetings) {
    for (const button of slotList.querySelectorAll("[data-plan-slot]")) button.hidden = false;
    slotList.addEventListener("click", (event) => {
      const button = event.target.closest("[data-plan-slot]");
      if (button) {
        meetingsRoot.scrollIntoView({ block: "start" });
        meetings.planSlot(button);
      }
    });
  }
  const feedRoot = root.querySelector("[data-feed]");
  if (feedRoot && urls.feed) feedPanel(feedRoot, urls.feed);

  // --- .ics import: preview the merge, then save it or cancel; undo after saving ------------
  if (importForm) {
    const errors = importForm.querySelector("[data-import-errors]");
    const panel = root.querySelector("[data-import-preview]");
    const summary = panel.querySelector("[data-import-summary]");
    const list = panel.querySelector("[data-import-changes]");
    const done = root.querySelector("[data-import-done]");
    const doneText = done.querySelector("[data-import-done-text]");
    const fileInput = importForm.querySelector("input[type=file]");
    let pending = null; // { file, week, changes } while a preview is shown
    let undo = null; // { week, days } the week as it was before the last import

    const hoursText = (hours) => hours.map((hour) => clockLabel(hour)).join(", ");
    const countHours = (changes) => changes.reduce((n, c) => n + c.busy.length + c.if_needed.length, 0);

    function markChanges(changes) {
      for (const cell of root.querySelectorAll("[data-my-grid] .is-import-change")) cell.classList.remove("is-import-change");
      for (const change of changes) {
        for (const hour of [...change.busy, ...change.if_needed]) {
          const cell = root.querySelector(`[data-my-grid] td[data-date="${change.date}"][data-hour="${hour}"]`);
          if (cell) cell.classList.add("is-import-change");
        }
      }
    }

    function closePreview(focusForm = true) {
      pending = null;
      panel.hidden = true;
      markChanges([]);
      if (focusForm) fileInput.focus();
    }

    function upload(file, preview) {
      const data = new FormData();
      data.append("file", file);
      const query = new URLSearchParams({ week });
      if (preview) query.set("preview", "1");
      return api(`${urls.import}?${query}`, { method: "POST", body: data });
    }

    function showPreview(result) {
      list.replaceChildren();
      for (const change of result.changes) {
        const item = document.createElement("li");
        const parts = [];
        if (change.busy.length) parts.push(interpolate(gettext("busy: %(hours)s"), { hours: hoursText(change.busy) }, true));
        if (change.if_needed.length) parts.push(interpolate(gettext("if needed: %(hours)s"), { hours: hoursText(change.if_needed) }, true));
        item.textContent = `${dayLabel(change.date)} — ${parts.join("; ")}`;
        list.append(item);
      }
      const hours = countHours(result.changes);
      summary.textContent = hours
        ? interpolate(ngettext("This calendar changes %(count)s hour of week %(week)s.", "This calendar changes %(count)s hours of week %(week)s.", hours), { count: hours, week: result.week }, true)
        : interpolate(gettext("This calendar changes nothing in week %(week)s: none of its events overlap the hours you painted."), { week: result.week }, true);
      panel.querySelector("[data-import-confirm]").hidden = !hours;
      panel.hidden = false;
      markChanges(result.changes);
      panel.querySelector("h3").focus();
      announce(summary.textContent);
    }

    importForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.textContent = "";
      done.hidden = true;
      const file = fileInput.files[0];
      if (!file) return;
      await flush();
      try {
        const result = await upload(file, true);
        pending = { file, week: result.week };
        showPreview(result);
      } catch (error) {
        closePreview(false);
        errors.textContent = describe(error);
      }
    });

    panel.querySelector("[data-import-confirm]").addEventListener("click", async () => {
      if (!pending || pending.week !== week) return closePreview();
      const before = { week, days: grid.toDays() };
      await flush();
      try {
        const result = await upload(pending.file, false);
        closePreview(false);
        undo = before;
        showWeek(result.days);
        setStatus("saved", gettext("Imported and saved"));
        doneText.textContent = interpolate(ngettext("Imported: %(count)s hour changed.", "Imported: %(count)s hours changed.", countHours(result.changes)), { count: countHours(result.changes) }, true);
        done.hidden = false;
        done.querySelector("[data-import-undo]").focus();
        importForm.reset();
        refreshTeam();
      } catch (error) {
        errors.textContent = describe(error);
      }
      return undefined;
    });

    panel.querySelector("[data-import-cancel]").addEventListener("click", () => {
      closePreview();
      announce(gettext("Import cancelled; nothing was changed."));
    });
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); closePreview(); }
    });

    done.querySelector("[data-import-undo]").addEventListener("click", async () => {
      if (!undo) return;
      try {
        const mine = await api(`${urls.my_week}?week=${encodeURIComponent(undo.week)}`, { method: "PUT", body: undo });
        if (undo.week === week) showWeek(mine.days);
        undo = null;
        done.hidden = true;
        setStatus("saved", gettext("Import undone"));
        announce(gettext("The import was undone; your week is as it was."));
        fileInput.focus();
        refreshTeam();
      } catch (error) {
        errors.textContent = describe(error);
      }
    });
  }
}

const root = document.querySelector("[data-schedule]");
if (root) init(root);
