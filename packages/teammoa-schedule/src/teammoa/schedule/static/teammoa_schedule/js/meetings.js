// Meetings on the schedule page: confirm a best slot (or any time) as the team's meeting,
// move or cancel it; and the member's private calendar address (turn on, renew, turn off).

import { api, announce, gettext, interpolate } from "../../teammoa_core/js/api.js";
import { hourLabel, shortDayLabel } from "./grid.js";

function describe(error) {
  if (error && error.fields && Object.keys(error.fields).length) {
    return Object.values(error.fields).flat().join(" ");
  }
  return (error && error.message) || gettext("Something went wrong.");
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function hidden(text) {
  return element("span", "visually-hidden", text);
}

export class Meetings {
  constructor(root, { url, week, today, meetings, onChange = () => {} }) {
    this.root = root;
    this.url = url;
    this.week = week; // () => the ISO week shown
    this.today = today;
    this.meetings = meetings;
    this.onChange = onChange; // (meetings) after every render
    this.list = root.querySelector("[data-meeting-list]");
    this.empty = root.querySelector("[data-no-meetings]");
    this.form = root.querySelector("[data-meeting-form]");
    this.errors = this.form.querySelector("[data-meeting-errors]");
    this.title = this.form.querySelector("[data-meeting-form-title]");
    this.editing = null; // the meeting being moved, or null for a new one
    this.opener = null;
    const planAny = root.querySelector("[data-plan-any]");
    planAny.hidden = false;
    planAny.addEventListener("click", () => this.open(null, this.defaults(), planAny));
    for (const button of this.list.querySelectorAll("[data-meeting-edit], [data-meeting-cancel]")) button.hidden = false;
    this.list.addEventListener("click", (event) => this.onListClick(event));
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.submit(); });
    this.form.querySelector("[data-meeting-close]").addEventListener("click", () => this.close());
    this.form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); this.close(); }
    });
  }

  // A new meeting on the first day of the week shown (today if it is in it), 19:00–21:00.
  defaults(date) {
    const dates = [...document.querySelectorAll("[data-my-grid] tbody tr:first-child td")].map((c) => c.dataset.date);
    return {
      title: "",
      date: date || (dates.includes(this.today) ? this.today : dates[0]),
      start: "19:00",
      end: "21:00",
      place: "",
      link: "",
      notes: "",
    };
  }

  planSlot(button) {
    const start = Number(button.dataset.start);
    const end = Number(button.dataset.end);
    this.open(null, {
      ...this.defaults(button.dataset.date),
      title: gettext("Team meeting"),
      start: hourLabel(start),
      end: end === 24 ? "00:00" : hourLabel(end),
    }, button);
  }

  open(meeting, values, opener) {
    this.editing = meeting;
    this.opener = opener;
    this.title.textContent = meeting ? gettext("Move or edit the meeting") : gettext("Plan a meeting");
    this.form.querySelector("[data-meeting-submit]").textContent = meeting ? gettext("Save the meeting") : gettext("Confirm the meeting");
    for (const [name, value] of Object.entries(values)) {
      const input = this.form.elements.namedItem(name);
      if (input) input.value = name === "end" && value === "24:00" ? "00:00" : value;
    }
    this.errors.textContent = "";
    this.form.hidden = false;
    this.form.elements.namedItem("title").focus();
  }

  close() {
    this.form.hidden = true;
    this.editing = null;
    if (this.opener && this.opener.isConnected) this.opener.focus();
  }

  body() {
    const data = Object.fromEntries(new FormData(this.form));
    // A time field cannot say 24:00: midnight at the end of the meeting's day is 00:00.
    if (data.end === "00:00") data.end = "24:00";
    return data;
  }

  async submit() {
    this.errors.textContent = "";
    const body = this.body();
    try {
      const saved = this.editing
        ? await api(`${this.url}${this.editing.id}/`, { method: "PATCH", body })
        : await api(this.url, { method: "POST", body });
      const message = this.editing
        ? interpolate(gettext("Meeting moved: %(title)s, %(when)s."), { title: saved.title, when: this.when(saved) }, true)
        : interpolate(gettext("Meeting confirmed: %(title)s, %(when)s."), { title: saved.title, when: this.when(saved) }, true);
      this.form.hidden = true;
      this.editing = null;
      await this.refresh();
      const item = this.list.querySelector(`[data-meeting="${saved.id}"]`);
      if (item) item.querySelector("a, button").focus();
      announce(message);
    } catch (error) {
      this.errors.textContent = describe(error);
    }
  }

  when(meeting) {
    return `${shortDayLabel(meeting.date)} ${meeting.start}–${meeting.end}`;
  }

  async onListClick(event) {
    const button = event.target.closest("button");
    if (!button) return;
    const item = button.closest("[data-meeting]");
    const meeting = this.meetings.find((m) => String(m.id) === item.dataset.meeting);
    if (!meeting) return;
    if (button.hasAttribute("data-meeting-edit")) {
      this.open(meeting, meeting, button);
    } else if (button.hasAttribute("data-meeting-cancel")) {
      const question = interpolate(gettext("Cancel “%(title)s” on %(when)s for everyone?"), { title: meeting.title, when: this.when(meeting) }, true);
      if (!window.confirm(question)) return;
      try {
        await api(`${this.url}${meeting.id}/cancel/`, { method: "POST" });
        await this.refresh();
        this.root.querySelector("[data-plan-any]").focus();
        announce(interpolate(gettext("Meeting cancelled: %(title)s."), { title: meeting.title }, true));
      } catch (error) {
        this.errors.textContent = describe(error);
      }
    }
  }

  // This week's meetings first, then the next ones (as the server renders the list).
  async refresh() {
    const [week, upcoming] = await Promise.all([
      api(`${this.url}?${new URLSearchParams({ week: this.week(), page_size: "50" })}`),
      api(`${this.url}?${new URLSearchParams({ upcoming: "1", page_size: "5" })}`),
    ]);
    const ids = new Set(week.results.map((m) => m.id));
    this.meetings = [...week.results, ...upcoming.results.filter((m) => !ids.has(m.id))];
    this.render();
  }

  render() {
    this.list.replaceChildren(...this.meetings.map((meeting) => this.item(meeting)));
    this.empty.hidden = this.meetings.length > 0;
    this.onChange(this.meetings);
  }

  item(meeting) {
    const li = element("li", "meeting");
    li.dataset.meeting = meeting.id;
    const when = element("div", "meeting__when");
    when.append(element("strong", "", shortDayLabel(meeting.date)), ` ${meeting.start}–${meeting.end}`);
    const what = element("div", "meeting__what");
    what.append(element("strong", "meeting__title", meeting.title));
    if (meeting.place) what.append(` · ${meeting.place}`);
    li.append(when, what);
    if (meeting.notes) li.append(element("p", "meeting__notes", meeting.notes));
    const actions = element("div", "meeting__actions");
    if (meeting.link) {
      const link = element("a", "", gettext("Join link"));
      link.href = meeting.link;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      link.append(hidden(`: ${meeting.title}`));
      actions.append(link);
    }
    const ics = element("a", "button button--small button--ghost", gettext("Add to calendar"));
    ics.href = meeting.ics_url;
    ics.download = "";
    ics.append(hidden(`: ${meeting.title}`));
    const edit = element("button", "button button--small button--ghost", gettext("Move or edit"));
    edit.type = "button";
    edit.dataset.meetingEdit = "";
    edit.append(hidden(`: ${meeting.title}`));
    const cancel = element("button", "button button--small button--ghost", gettext("Cancel meeting"));
    cancel.type = "button";
    cancel.dataset.meetingCancel = "";
    cancel.append(hidden(`: ${meeting.title}`));
    actions.append(ics, edit, cancel);
    li.append(actions);
    return li;
  }
}

export function feedPanel(root, url) {
  const input = root.querySelector("#feed-url");
  const field = root.querySelector("[data-feed-on]");
  const errors = root.querySelector("[data-feed-errors]");
  const buttons = {
    enable: root.querySelector("[data-feed-enable]"),
    renew: root.querySelector("[data-feed-renew]"),
    off: root.querySelector("[data-feed-off]"),
    copy: root.querySelector("[data-feed-copy]"),
  };
  buttons.copy.hidden = false;

  function show(feed) {
    input.value = feed.url || "";
    field.hidden = !feed.enabled;
    buttons.enable.hidden = feed.enabled;
    buttons.renew.hidden = !feed.enabled;
    buttons.off.hidden = !feed.enabled;
  }

  async function call(method, message, focus) {
    errors.textContent = "";
    try {
      const feed = await api(url, { method });
      show(feed || { enabled: false, url: null });
      (focus() || root).focus();
      announce(message);
    } catch (error) {
      errors.textContent = describe(error);
    }
  }

  buttons.enable.addEventListener("click", () => call("POST", gettext("Your calendar address is ready. Copy it into your calendar app."), () => input));
  buttons.renew.addEventListener("click", () => {
    if (!window.confirm(gettext("Make a new address? Calendars using the current one stop updating."))) return;
    call("POST", gettext("New address made; the old one no longer works."), () => input);
  });
  buttons.off.addEventListener("click", () => {
    if (!window.confirm(gettext("Turn the address off? Calendars using it stop updating."))) return;
    call("DELETE", gettext("Your calendar address is turned off."), () => buttons.enable);
  });
  buttons.copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand("copy");
    }
    announce(gettext("Copied to the clipboard."));
  });
}
