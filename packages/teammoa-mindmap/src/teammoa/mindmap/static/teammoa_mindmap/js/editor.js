// The mindmap editor page: one socket, one store, and the views on it (canvas, outline,
// side panel, who-is-here, connection state).
import { announce, gettext } from "../../teammoa_core/js/api.js";
import { Canvas } from "./canvas.js";
import { Outline } from "./outline.js";
import { Panel } from "./panel.js";
import { MindmapSocket } from "./socket.js";
import { Store, childSpot } from "./store.js";

const root = document.getElementById("mm-editor");
const data = root.dataset;
const store = new Store(Number(data.me));
const statusBox = root.querySelector("[data-status]");
const statusText = root.querySelector("[data-status-text]");
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

function showError(error) {
  if (!error || error.code === "disconnected" || error.code === "offline") {
    announce(gettext("Not connected: the change was not sent. It will work again once reconnected."));
    return;
  }
  const fields = error.errors ? Object.values(error.errors).flat() : [];
  announce(fields[0] || error.message || gettext("Something went wrong."));
}

const socket = new MindmapSocket(data.socketPath, {
  onState(state) {
    statusBox.dataset.state = state;
    statusText.textContent = STATES[state];
    root.classList.toggle("is-offline", state !== "connected");
    if (state === "reconnecting" || state === "offline") announce(STATES[state]);
  },
  onFinal(reason) {
    statusText.textContent = FINAL[reason];
    announce(FINAL[reason]);
    if (reason === "not_found") window.setTimeout(() => { window.location.href = data.listUrl; }, 2500);
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

let selected = null;
function select(id) {
  selected = id;
  panel.show(id);
  if (canvas.selected !== id) canvas.select(id);
}

const canvas = new Canvas(root, store, socket, {
  width: Number(data.canvasWidth),
  height: Number(data.canvasHeight),
  onSelect: (id) => { selected = id; panel.show(id); },
  onError: showError,
  gettext,
});
const panel = new Panel(root, store, socket, { apiUrl: data.apiUrl, onError: showError, gettext, announce });
const outline = new Outline(root, store, socket, { onSelect: (id) => select(id), onError: showError, gettext, announce, canvas });

let firstSnapshot = true;
function receive(message) {
  switch (message.type) {
    case "snapshot":
      store.load(message);
      if (firstSnapshot) { canvas.fit(); firstSnapshot = false; }
      break;
    case "cursor": canvas.cursor(message); return;
    case "node.dragging": canvas.remoteDrag(message); return;
    case "error": return; // answered through the request that caused it
    case "mindmap.deleted": announce(FINAL.not_found); return;
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
  if (event.type === "node.moved") canvas.settle(event.node);
  if (event.type === "presence.left") canvas.forget(event.user);
  if (event.type === "presence.joined" && event.user !== store.me) announce(gettext("%s joined.").replace("%s", event.name));
  if (event.type === "mindmap.updated" || event.type === "snapshot") {
    root.querySelector("#mm-title").textContent = store.title;
    document.title = document.title.replace(/^[^·]*/, `${store.title} `);
  }
  if (event.type === "comment.created") panel.addComment(event.comment);
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
root.querySelector("[data-action=add]").addEventListener("click", async () => {
  if (!outlineBox.hidden) { outline.addChild(outline.active); return; }
  const at = canvas.center();
  if (selected !== null) {
    const parent = store.nodes.get(selected);
    if (parent) {
      const at = childSpot(store.nodes.values(), parent, canvas.size, gettext("New idea"));
      const created = await canvas.create(at);
      if (created && created.node) socket.request({ type: "connection.create", source: parent.id, target: created.node.id }).catch(showError);
      return;
    }
  }
  canvas.create(at);
});
const connectButton = root.querySelector("[data-action=connect]");
connectButton.addEventListener("click", () => {
  if (canvas.connecting) { canvas.endConnect(); return; }
  canvas.startConnect();
  connectButton.setAttribute("aria-pressed", "true");
  announce(gettext("Connect: select the first node, then the second."));
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
canvasBox.addEventListener("keydown", (event) => {
  if (event.key === "Delete" && selected !== null) { event.preventDefault(); panel.remove(); }
});

canvas.applyView();
socket.start();
