// The team socket (/ws/teams/<team_id>/, docs/team-events.md): teammates' changes as they
// happen. A page calls liveTeam(handlers) and refetches what it shows; each teammate's
// change is said once, politely, in the page's live note ("Minji moved a todo.").
//
// The socket reconnects with backoff and jitter; after a reconnect the page is told to
// refetch everything (news may have been missed meanwhile). It gives up on 4401, 4403
// and 4404 (signed out, no longer a member, team disbanded) and says so, for good.
import { gettext, interpolate, liveRegion, wroteRecently } from "./api.js";

const STOP = { 4401: "signed-out", 4403: "forbidden", 4404: "gone" };
const MAX_DELAY_MS = 30000;
const NOTE_MS = 8000;
const OWN_WRITE_MS = 3000;

// Each message written out in full: makemessages finds only literal gettext calls.
function sentence(event) {
  const name = event.name || gettext("A teammate");
  const say = (format) => interpolate(format, { name }, true);
  switch (event.type) {
    case "schedule.week_saved": return say(gettext("%(name)s updated their availability."));
    case "schedule.usual_week_saved": return say(gettext("%(name)s updated their usual week."));
    case "todo.changed": return say(gettext("%(name)s changed a todo."));
    case "todo.deleted": return say(gettext("%(name)s deleted a todo."));
    case "milestone.changed":
      return event.deleted ? say(gettext("%(name)s deleted a milestone.")) : say(gettext("%(name)s changed a milestone."));
    case "post.created": return say(gettext("%(name)s posted on the board."));
    case "post.changed":
      return event.deleted ? say(gettext("%(name)s deleted a post.")) : say(gettext("%(name)s edited a post."));
    case "comment.created": return say(gettext("%(name)s commented on a post."));
    case "member.joined": return say(gettext("%(name)s joined the team."));
    case "member.left":
      return event.removed ? gettext("A member was removed from the team.") : say(gettext("%(name)s left the team."));
    case "meeting.created": return say(gettext("%(name)s scheduled a meeting."));
    case "meeting.changed": return say(gettext("%(name)s changed a meeting."));
    case "meeting.cancelled": return say(gettext("%(name)s cancelled a meeting."));
    default: return "";
  }
}

// The visible note that says who changed what (role=status: read out politely).
const note = () => liveRegion("team-live-note", "live-note", "p");

let noteTimer = 0;
// `stay`: the page's last word (signed out, no longer a member, team disbanded), kept.
export function tell(message, { stay = false } = {}) {
  if (!message) return;
  const region = note();
  region.textContent = message;
  window.clearTimeout(noteTimer);
  if (!stay) noteTimer = window.setTimeout(() => { region.textContent = ""; }, NOTE_MS);
}

// Coalesce bursts: fn runs at most once per `ms`, the last call always leads to a run.
export function throttled(fn, ms = 250) {
  let timer = 0;
  let running = null;
  let again = false;
  const run = async () => {
    timer = 0;
    if (running) { again = true; return; }
    running = Promise.resolve().then(fn).catch(() => {});
    await running;
    running = null;
    if (again) { again = false; timer = window.setTimeout(run, ms); }
  };
  return () => { if (!timer) timer = window.setTimeout(run, ms); };
}

// A form that leaves the page (a plain POST: its answer is the next page) makes news of its
// own change arrive while the browser is on its way out; reading the page again then would
// only be cut off. So once the page is leaving, news is not acted on.
// A form that did not leave after all (its answer was a download) lets news in again.
let leaving = false;
let stayTimer = 0;
function stayed() {
  leaving = false;
  document.dispatchEvent(new Event("teammoa:stayed"));
}
document.addEventListener("submit", (event) => {
  window.setTimeout(() => {
    if (event.defaultPrevented) return;
    leaving = true;
    window.clearTimeout(stayTimer);
    stayTimer = window.setTimeout(stayed, 5000);
  }, 0);
});
window.addEventListener("pagehide", () => { leaving = true; });
window.addEventListener("pageshow", (event) => { if (event.persisted) stayed(); });

// The page as the server renders it now, for a live page to read again: the parsed
// document (null unless the answer was ok) and the answer's status.
export async function readThisPage() {
  const response = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
  const page = response.ok ? new DOMParser().parseFromString(await response.text(), "text/html") : null;
  return { page, status: response.status };
}

export function teamId() {
  const marker = document.querySelector("[data-team-id]");
  return marker ? Number(marker.dataset.teamId) : null;
}

// When the server rendered this page (seconds since the epoch), or null.
function renderedAt() {
  const marker = document.querySelector("[data-rendered-at]");
  const value = marker ? Number(marker.dataset.renderedAt) : NaN;
  return Number.isFinite(value) && value > 0 ? value : null;
}

// News that left between rendering the page and its first hello was never heard: the
// page reads again when the team's latest news is not clearly older than the page (1 s
// of margin: the page's data was read a moment before the time it shows, and different
// servers' clocks differ a little). The page's own change just before it loaded is read
// again too, which costs one request.
function missedBeforeHello(hello) {
  const rendered = renderedAt();
  if (rendered === null || typeof hello.last_event_at !== "number") return false;
  return hello.last_event_at >= rendered - 1;
}

// handlers.onEvent(event, {mine}) for every event; handlers.describe(event) may return a
// richer sentence than the default (or null to say nothing); handlers.onResync() after a
// reconnect. Returns {close()}.
export function liveTeam(handlers = {}, team = teamId()) {
  if (!team || typeof WebSocket === "undefined") return { close() {} };
  const root = document.documentElement;
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const url = `${scheme}//${window.location.host}/ws/teams/${team}/`;
  let me = null;
  let socket = null;
  let attempts = 0;
  let opened = false;
  let stopped = false;
  let timer = 0;
  let missed = false;

  // News skipped while the page seemed to be leaving: read everything again.
  document.addEventListener("teammoa:stayed", () => {
    if (missed && handlers.onResync) handlers.onResync();
    missed = false;
  });

  function state(value) { root.dataset.teamLive = value; }

  function connect() {
    state("connecting");
    socket = new WebSocket(url);
    socket.addEventListener("message", async (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      if (event.type === "hello") {
        me = event.me;
        attempts = 0;
        state("connected");
        if ((opened || missedBeforeHello(event)) && handlers.onResync) handlers.onResync();
        opened = true;
        return;
      }
      if (!event.type || !event.type.includes(".")) return; // pong, error
      if (leaving) {
        missed = true;
        return;
      }
      const mine = event.by !== null && event.by === me;
      // This page's own change: it shows it already (another tab's is read as usual).
      if (mine && wroteRecently(OWN_WRITE_MS)) return;
      try {
        if (handlers.onEvent) await handlers.onEvent(event, { mine });
      } catch {
        // A failed refetch leaves the page as it was; the next event tries again.
      }
      if (mine) return;
      const described = handlers.describe ? handlers.describe(event) : undefined;
      tell(described === undefined ? sentence(event) : described);
    });
    socket.addEventListener("close", (event) => {
      socket = null;
      if (stopped) return;
      if (event.code in STOP) {
        stopped = true;
        state(STOP[event.code]);
        if (event.code === 4401) {
          tell(gettext("Your session has ended; reload the page to see your team's changes again."), { stay: true });
        } else if (event.code === 4403) {
          tell(gettext("You are no longer a member of this team."), { stay: true });
        } else {
          tell(gettext("This team was disbanded."), { stay: true });
        }
        return;
      }
      state("reconnecting");
      attempts += 1;
      const delay = Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(attempts, 6));
      timer = window.setTimeout(connect, delay / 2 + Math.random() * delay / 2);
    });
  }

  // A tab coming back reconnects at once instead of waiting out its backoff.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !socket && !stopped) {
      window.clearTimeout(timer);
      connect();
    }
  });
  connect();
  return {
    close() {
      stopped = true;
      window.clearTimeout(timer);
      if (socket) socket.close(1000);
    },
  };
}
