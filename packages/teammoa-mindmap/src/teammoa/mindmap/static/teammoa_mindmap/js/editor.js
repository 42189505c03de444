// The mindmap editor page: one socket, one store, and the views on it (canvas, outline,
// side panel, who-is-here, connection state).
import { ApiError, announce, gettext, interpolate, ngettext } from "../../teammoa_core/js/api.js";
import { Canvas } from "./canvas.js";
import { Outbox } from "./outbox.js";
import { Outline } from "./outline.js";
import { Panel } from "./panel.js";
import { MindmapSocket } from "./socket.js";
import { Store, useMeasure } from "./store.js";

const root = document.getElementById("mm-editor");
const data = root.dataset;
const store = new Store(Number(data.me));
const statusBox = root.querySelector("[data-status]");
const statusText = root.querySelector("[data-status-text]");
const queueText = root.querySelector("[data-status-queue]");
const noticeBox = root.querySelector("[data-notice]");
const noticeList = root.querySelector("[data-notice-list]");
const NOTICE_FADES = 8000; // ms a passing message (not a lost change) stays

// Boxes as wide as their titles are drawn, in any script: measured with the page's font.
function measureWithPageFont() {
  const context = document.createElement("canvas").getContext("2d");
  if (!context) return;
  const style = window.getComputedStyle(root);
  context.font = `14px ${style.fontFamily}`;
  useMeasure((text) => context.measureText(text).width);
}
measureWithPageFont();
const STATES = {
  connecting: gettext("Connecting…"),
  connected: gettext("Connected"),
  reconnecting: gettext("Reconnecting…"),
  offline: gettext("Offline"),
};
const FINAL = {
  unauthenticated: gettext("Your session has ended. Sign in again to keep editing."),
  forbidden: gettext("You are no longer a member of this team."),
  not_found: gettext("This mindmap was deleted."),
};
// Closes after which the socket tries again by itself (docs/websocket.md).
const TROUBLE = {
  too_many: gettext("You have too many mindmap tabs open. Close some; this one connects again when you come back to it."),
  unavailable: gettext("The server cannot save changes right now. Reconnecting…"),
};

// Messages a person can act on; never a bare "offline" or "Failed to fetch".
function errorText(error) {
  if (!error || error.code === "disconnected" || error.code === "offline") {
    return gettext("Not connected: the change was not sent. It will work again once reconnected.");
  }
  if (error.code === "timeout") return gettext("The server did not answer in time. Check that your change is shown, and try again if not.");
  if (error instanceof ApiError) return error.status >= 500 ? gettext("The server could not answer. Try again in a moment.") : error.message;
  if (!error.code) return gettext("Could not reach the server. Check your connection and try again.");
  const fields = error.errors ? Object.values(error.errors).flat() : [];
  return fields[0] || error.message || gettext("Something went wrong.");
}

function showError(error) { notify(errorText(error), true); }

// Messages in view, read out once: what concerns a change of ours that did not stick
// stays until closed; the rest fades.
function notify(message, important = false) {
  for (const old of noticeList.children) if (old.textContent === message) old.remove();
  const item = document.createElement("li");
  item.textContent = message;
  item.classList.toggle("is-important", important);
  noticeList.append(item);
  while (noticeList.children.length > 5) noticeList.firstElementChild.remove();
  noticeBox.hidden = false;
  noticeBox.classList.toggle("is-important", Boolean(noticeList.querySelector(".is-important")));
  announce(message);
  if (!important) {
    window.setTimeout(() => {
      item.remove();
      if (!noticeList.children.length) noticeBox.hidden = true;
    }, NOTICE_FADES);
  }
}
root.querySelector("[data-notice-close]").addEventListener("click", () => {
  noticeList.replaceChildren();
  noticeBox.hidden = true;
  canvasBox.focus();
});

const socket = new MindmapSocket(data.socketPath, {
  onState(state) {
    statusBox.dataset.state = state;
    statusText.textContent = STATES[state];
    root.classList.toggle("is-offline", state !== "connected");
    showQueue();
    if (state === "reconnecting" || state === "offline") announce(STATES[state]);
  },
  onFinal(reason) {
    statusText.textContent = FINAL[reason];
    announce(FINAL[reason]);
    if (reason === "not_found") {
      outbox.forget(); // the mindmap is gone: nothing waiting can be saved
      window.setTimeout(() => { window.location.href = data.listUrl; }, 2500);
    }
    if (reason === "unauthenticated") showSignIn();
  },
  onTrouble(reason) {
    statusText.textContent = TROUBLE[reason];
    announce(TROUBLE[reason]);
  },
  onMessage(message) { receive(message); },
});

// After 4401: reloading the page leads through the sign-in page (it needs a login) and
// back here, or straight back when the session only changed (a password change).
function showSignIn() {
  if (statusBox.querySelector("[data-sign-in]")) return;
  const link = document.createElement("a");
  link.dataset.signIn = "";
  link.href = window.location.href;
  link.textContent = gettext("Sign in again");
  statusBox.append(" ", link);
}

const outbox = new Outbox(socket, store, {
  gettext,
  ngettext,
  myName: data.meName,
  onNotice: (message, important) => notify(message, important),
  onChange: () => showQueue(),
  onError: showError,
  storage: sessionStorageOrNull(),
  storageKey: `teammoa.mindmap.outbox.${data.me}.${data.mindmap}`,
});
outbox.restore(); // changes still waiting when this tab was reloaded

// A browser that refuses storage (some private modes throw on access) keeps the queue in
// the page only.
function sessionStorageOrNull() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function showQueue() {
  const count = outbox.size;
  queueText.hidden = count === 0;
  queueText.textContent = count
    ? interpolate(ngettext("%(count)s change waits to be sent.", "%(count)s changes wait to be sent.", count), { count }, true)
    : "";
}

let selected = null;
function select(id) {
  selected = id;
  panel.show(id);
  if (canvas.selected !== id) canvas.select(id);
}

const phone = window.matchMedia("(max-width: 60rem)");
const canvas = new Canvas(root, store, outbox, {
  width: Number(data.canvasWidth),
  height: Number(data.canvasHeight),
  onSelect: (id, tapped) => {
    selected = id;
    panel.show(id);
    // On a phone the panel opens over the canvas: keep the node in view above it, and
    // take a tap's focus into it (the keyboard stays on the canvas to move on).
    if (id !== null && phone.matches) {
      const covered = canvasBox.getBoundingClientRect().bottom - panelBox.getBoundingClientRect().top;
      canvas.ensureVisible(id, Math.max(0, covered));
      if (tapped && !canvas.editing) panelBox.querySelector("#mm-panel-title").focus();
    }
  },
  onError: showError,
  onDelete: (id) => panel.remove(id),
  gettext,
  announce,
});
const panelBox = root.querySelector("[data-panel]");
const panel = new Panel(root, store, outbox, {
  apiUrl: data.apiUrl, timeZone: data.timeZone, onError: showError, gettext, announce, errorText, isOnline: () => socket.state === "connected",
});
const outline = new Outline(root, store, outbox, { onSelect: (id) => select(id), onError: showError, gettext, announce, canvas });
// Closing the panel over the canvas (a phone) goes back to its node on the canvas, still
// selected: the arrows go on from there.
function closePanel() {
  panel.hide();
  canvasBox.focus();
  if (selected !== null) announce(canvas.describe(selected));
}
root.querySelector("[data-panel-close]").addEventListener("click", closePanel);

// Someone else renamed a node: say so when it overwrote our own rename of a moment ago,
// or while we are typing a title for it.
function checkRename(message) {
  if (message.queued || message.by === store.me || message.by == null) return;
  const person = store.people.get(message.by);
  const name = person ? person.name : gettext("Someone else");
  const mine = outbox.overwritten(message);
  const typing = (canvas.editing && canvas.editing.id === message.node)
    || (outline.editing === message.node)
    || (panel.id === message.node && document.activeElement === panel.form.elements.title);
  if (mine !== null) {
    notify(interpolate(gettext("%(name)s renamed “%(mine)s” to “%(theirs)s” just after you: their title replaced yours."), { name, mine, theirs: message.title }, true), true);
  } else if (typing) {
    notify(interpolate(gettext("%(name)s renamed this node to “%(theirs)s” while you were typing. Saving yours replaces it."), { name, theirs: message.title }, true), true);
  }
}

let firstSnapshot = true;
function receive(message) {
  switch (message.type) {
    case "snapshot":
      store.load(message);
      outbox.resume(); // what was changed offline, checked against it and sent
      if (firstSnapshot) { canvas.fit(); firstSnapshot = false; } else if (selected !== null) panel.reload();
      break;
    case "cursor": canvas.cursor(message); return;
    case "node.dragging": canvas.remoteDrag(message); return;
    case "error": return; // answered through the request that caused it
    case "mindmap.deleted": announce(FINAL.not_found); return;
    case "node.updated": {
      const before = store.nodes.get(message.node);
      const renamed = before && before.title !== message.title;
      store.apply(message);
      if (renamed) checkRename(message);
      return;
    }
    default: store.apply(message);
  }
}

const people = root.querySelector("[data-people]");
function renderPeople() {
  people.replaceChildren();
  for (const person of [...store.people.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const li = document.createElement("li");
    li.className = "mm-person";
    li.style.setProperty("--person-color", person.color);
    li.title = person.name;
    const dot = document.createElement("span");
    dot.className = "mm-person__dot";
    dot.setAttribute("aria-hidden", "true");
    dot.textContent = person.name.slice(0, 1).toUpperCase();
    const name = document.createElement("span");
    name.className = "mm-person__name";
    name.textContent = person.user === store.me ? `${person.name} (${gettext("you")})` : person.name;
    li.append(dot, name);
    people.append(li);
  }
}

let frame = 0;
store.subscribe((event) => {
  if (event.type === "local.remapped" && event.kind === "node") {
    canvas.remapped(event.from, event.to);
    panel.remapped(event.from, event.to);
    outline.remapped(event.from, event.to);
    if (selected === event.from) selected = event.to;
  }
  if (event.type === "node.deleted" && !event.queued && event.by !== store.me && canvas.editing && canvas.editing.id === event.node) {
    notify(gettext("Someone else deleted the node you were renaming."), true);
  }
  if (event.type === "node.moved") canvas.settle(event.node);
  if (event.type === "presence.left") canvas.forget(event.user);
  if (event.type === "presence.joined" && event.user !== store.me) announce(gettext("%s joined.").replace("%s", event.name));
  if (event.type === "mindmap.updated" || event.type === "snapshot") {
    root.querySelector("#mm-title").textContent = store.title;
    document.title = document.title.replace(/^[^·]*/, `${store.title} `);
  }
  if (event.type === "node.updated" && event.by === store.me) canvas.makeRoom(event.node);
  if (event.type === "comment.created") panel.addComment(event.comment, event.queued);
  if (event.type.startsWith("presence") || event.type === "snapshot") renderPeople();
  if (event.type === "node.deleted" && event.node === selected) select(null);
  panel.refresh(event);
  if (!frame) frame = window.requestAnimationFrame(() => { frame = 0; canvas.render(); if (!outlineBox.hidden) outline.render(); });
});

// Toolbar
const outlineBox = root.querySelector("[data-outline]");
const canvasBox = root.querySelector("[data-canvas]");
for (const button of root.querySelectorAll("[data-view]")) {
  button.addEventListener("click", () => {
    const outlineView = button.dataset.view === "outline";
    outlineBox.hidden = !outlineView;
    canvasBox.hidden = outlineView;
    for (const other of root.querySelectorAll("[data-view]")) {
      const pressed = other === button;
      other.setAttribute("aria-pressed", String(pressed));
      other.classList.toggle("button--ghost", !pressed);
    }
    if (outlineView) { outline.render(); (outline.item(outline.active) || outline.tree.firstElementChild)?.focus(); }
    else canvasBox.focus();
  });
}
root.querySelector("[data-action=add]").addEventListener("click", () => {
  if (!outlineBox.hidden) { outline.addChild(outline.active); return; }
  if (selected !== null && store.nodes.has(selected)) canvas.addChild(selected);
  else canvas.create(canvas.center());
});
const connectButton = root.querySelector("[data-action=connect]");
connectButton.addEventListener("click", () => {
  if (canvas.connecting) { canvas.endConnect(); announce(gettext("Connecting cancelled.")); return; }
  if (!outlineBox.hidden) root.querySelector("[data-view=canvas]").click(); // nodes are picked on the canvas
  canvas.startConnect();
  canvasBox.focus(); // the arrows and Enter pick the nodes there
});
for (const button of root.querySelectorAll("[data-zoom]")) {
  button.addEventListener("click", () => {
    const how = button.dataset.zoom;
    if (how === "in") canvas.zoomCentered(1.2);
    else if (how === "out") canvas.zoomCentered(1 / 1.2);
    else if (how === "fit") canvas.fit();
    else { canvas.view.k = 1; canvas.applyView(); }
  });
}
// Escape in the panel over the canvas (a phone) closes it.
panelBox.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && phone.matches && panelBox.classList.contains("is-open")) { event.preventDefault(); closePanel(); }
});

canvas.applyView();
if (document.fonts) document.fonts.ready.then(() => { measureWithPageFont(); canvas.render(); });
socket.start();
