// The canvas: an SVG of the nodes and their connections with pan and zoom, dragging
// (drag frames while moving, one node.move on drop), creating, connecting, and the other
// people's live cursors and drags. By keyboard (as in MindMeister and XMind): Tab adds a
// child, Enter a sibling, the arrows move between nodes, F2 renames on the node itself,
// Delete deletes, C connects the selected node (the arrows pick the other one, Enter links),
// Escape cancels. Escape on a node just added takes it away again.
import { NODE_HEIGHT, childSpot, crowded, nodeLabel, nodeWidth } from "./store.js";

const SVG = "http://www.w3.org/2000/svg";
const SEND_EVERY = 50; // ms between cursor / drag frames (20 Hz, under the server's 30/s)
const CURSOR_IDLE = 10000;
const MIN_ZOOM = 0.1;
const MAX_ZOOM = 3;
const DOUBLE_TAP = 350; // ms between the taps of a double tap
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

function el(name, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.append(node);
  return node;
}

export class Canvas {
  constructor(root, store, socket, { width, height, onSelect, onError, onDelete, gettext, announce }) {
    this.root = root;
    this.store = store;
    this.socket = socket;
    this.size = { width, height };
    this.onSelect = onSelect;
    this.onError = onError;
    this.onDelete = onDelete || (() => {});
    this._ = gettext;
    this.announce = announce || (() => {});
    this.editing = null; // {id, input, title}: a title being typed on the node
    this.host = root.querySelector("[data-canvas]");
    this.svg = root.querySelector("[data-svg]");
    this.viewport = root.querySelector("[data-viewport]");
    this.edgeLayer = root.querySelector("[data-edges]");
    this.nodeLayer = root.querySelector("[data-nodes]");
    this.cursorLayer = root.querySelector("[data-cursors]");
    this.rubber = root.querySelector("[data-rubber]");
    this.view = { x: 0, y: 0, k: 1 };
    this.nodeEls = new Map();
    this.edgeEls = new Map();
    this.cursors = new Map();
    this.remoteDrags = new Map(); // node id → {x, y, until}
    this.selected = null;
    this.connecting = false;
    this.dragging = null;
    this.lastSent = 0;
    this.bind();
  }

  // --- view -----------------------------------------------------------------------------

  applyView() {
    const { x, y, k } = this.view;
    this.viewport.setAttribute("transform", `translate(${x} ${y}) scale(${k})`);
    const label = this.root.querySelector("[data-zoom-label]");
    if (label) label.textContent = `${Math.round(k * 100)}%`;
    this.placeEditor();
  }

  zoomAt(factor, cx, cy) {
    const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.view.k * factor));
    const world = this.toWorld(cx, cy);
    const rect = this.svg.getBoundingClientRect();
    this.view = { k, x: cx - rect.left - world.x * k, y: cy - rect.top - world.y * k };
    this.applyView();
  }

  zoomCentered(factor) {
    const rect = this.svg.getBoundingClientRect();
    this.zoomAt(factor, rect.left + rect.width / 2, rect.top + rect.height / 2);
  }

  fit() {
    const nodes = [...this.store.nodes.values()];
    const rect = this.svg.getBoundingClientRect();
    if (!nodes.length || !rect.width) {
      this.view = { x: 20, y: 20, k: 1 };
    } else {
      const left = Math.min(...nodes.map((n) => n.x - nodeWidth(n.title) / 2)) - 40;
      const right = Math.max(...nodes.map((n) => n.x + nodeWidth(n.title) / 2)) + 40;
      const top = Math.min(...nodes.map((n) => n.y)) - NODE_HEIGHT - 20;
      const bottom = Math.max(...nodes.map((n) => n.y)) + NODE_HEIGHT + 20;
      const k = Math.min(1.5, Math.max(MIN_ZOOM, Math.min(rect.width / (right - left), rect.height / (bottom - top))));
      this.view = { k, x: (rect.width - (right - left) * k) / 2 - left * k, y: (rect.height - (bottom - top) * k) / 2 - top * k };
    }
    this.applyView();
  }

  toWorld(clientX, clientY) {
    const rect = this.svg.getBoundingClientRect();
    return { x: (clientX - rect.left - this.view.x) / this.view.k, y: (clientY - rect.top - this.view.y) / this.view.k };
  }

  clamp(point) {
    return {
      x: Math.round(Math.min(this.size.width, Math.max(0, point.x))),
      y: Math.round(Math.min(this.size.height, Math.max(0, point.y))),
    };
  }

  center() {
    const rect = this.svg.getBoundingClientRect();
    return this.clamp(this.toWorld(rect.left + rect.width / 2, rect.top + rect.height / 2));
  }

  // --- drawing --------------------------------------------------------------------------

  position(id) {
    if (this.dragging && this.dragging.id === id) return this.dragging.at;
    const remote = this.remoteDrags.get(id);
    if (remote && remote.until > Date.now()) return remote;
    return this.store.nodes.get(id);
  }

  render() {
    for (const [id, node] of this.store.nodes) {
      let g = this.nodeEls.get(id);
      if (!g) {
        g = el("g", { class: "mm-node", "data-id": id }, this.nodeLayer);
        el("rect", { class: "mm-node__box", height: NODE_HEIGHT, rx: 8 }, g);
        el("text", { class: "mm-node__title", "text-anchor": "middle", "dominant-baseline": "central" }, g);
        el("text", { class: "mm-node__badges", "text-anchor": "end", "dominant-baseline": "central" }, g);
        el("title", {}, g); // the whole title, as a tooltip, when the box shows it shortened
        this.nodeEls.set(id, g);
      }
      const { width, text: title } = nodeLabel(node.title);
      const [box, text, badges, tooltip] = g.children;
      if (tooltip.textContent !== node.title) tooltip.textContent = node.title;
      g.classList.toggle("is-queued", id < 0);
      box.setAttribute("x", -width / 2);
      box.setAttribute("y", -NODE_HEIGHT / 2);
      box.setAttribute("width", width);
      if (text.textContent !== title) text.textContent = title;
      const marks = `${node.recommendations ? `★${node.recommendations}` : ""}${node.comment_count ? ` ✎${node.comment_count}` : ""}`;
      badges.textContent = marks;
      badges.setAttribute("x", width / 2 - 4);
      badges.setAttribute("y", -NODE_HEIGHT / 2 - 8);
      g.classList.toggle("is-selected", id === this.selected);
      g.classList.toggle("is-connect-source", id === this.connectFrom);
      g.classList.toggle("is-remote-drag", this.remoteDrags.has(id));
      this.place(id);
    }
    for (const [id, g] of this.nodeEls) {
      if (!this.store.nodes.has(id)) { g.remove(); this.nodeEls.delete(id); }
    }
    for (const [id, c] of this.store.connections) {
      let line = this.edgeEls.get(id);
      if (!line) { line = el("line", { class: "mm-edge" }, this.edgeLayer); this.edgeEls.set(id, line); }
      line.dataset.source = c.source;
      line.dataset.target = c.target;
      this.placeEdge(line);
    }
    for (const [id, line] of this.edgeEls) {
      if (!this.store.connections.has(id)) { line.remove(); this.edgeEls.delete(id); }
    }
    this.placeEditor();
  }

  place(id) {
    const g = this.nodeEls.get(id);
    const at = this.position(id);
    if (g && at) g.setAttribute("transform", `translate(${at.x} ${at.y})`);
  }

  placeEdge(line) {
    const a = this.position(Number(line.dataset.source));
    const b = this.position(Number(line.dataset.target));
    if (!a || !b) return;
    line.setAttribute("x1", a.x); line.setAttribute("y1", a.y);
    line.setAttribute("x2", b.x); line.setAttribute("y2", b.y);
  }

  moved(id) {
    this.place(id);
    for (const line of this.edgeEls.values()) {
      if (Number(line.dataset.source) === id || Number(line.dataset.target) === id) this.placeEdge(line);
    }
  }

  // ``tapped``: picked by a click or tap on the node (not by the keyboard).
  select(id, tapped = false) {
    this.selected = id;
    for (const [nodeId, g] of this.nodeEls) g.classList.toggle("is-selected", nodeId === id);
    this.onSelect(id, tapped);
  }

  // --- other people ----------------------------------------------------------------------

  remoteDrag({ node, x, y }) {
    if (!this.store.nodes.has(node) || (this.dragging && this.dragging.id === node)) return;
    this.remoteDrags.set(node, { x, y, until: Date.now() + 2000 });
    this.nodeEls.get(node)?.classList.add("is-remote-drag");
    this.moved(node);
  }

  settle(id) {
    if (this.remoteDrags.delete(id)) this.nodeEls.get(id)?.classList.remove("is-remote-drag");
    this.moved(id);
  }

  cursor({ user, x, y }) {
    const person = this.store.people.get(user);
    let entry = this.cursors.get(user);
    if (!entry) {
      const g = el("g", { class: "mm-cursor" }, this.cursorLayer);
      el("path", { d: "M0 0 L0 16 L4.5 12 L8 19 L10.5 18 L7 11 L12.5 11 Z" }, g);
      el("text", { x: 14, y: 24, class: "mm-cursor__name" }, g);
      entry = { g };
      this.cursors.set(user, entry);
    }
    const color = person ? person.color : "#888";
    entry.g.style.setProperty("--cursor-color", color);
    entry.g.lastChild.textContent = person ? person.name : "";
    entry.g.setAttribute("transform", `translate(${x} ${y}) scale(${1 / this.view.k})`);
    entry.g.classList.remove("is-idle");
    window.clearTimeout(entry.timer);
    entry.timer = window.setTimeout(() => entry.g.classList.add("is-idle"), CURSOR_IDLE);
  }

  forget(user) {
    const entry = this.cursors.get(user);
    if (entry) { entry.g.remove(); this.cursors.delete(user); }
  }

  // --- input ----------------------------------------------------------------------------

  bind() {
    const host = this.host;
    host.addEventListener("wheel", (event) => {
      event.preventDefault();
      this.zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX, event.clientY);
    }, { passive: false });
    host.addEventListener("pointerdown", (event) => this.pointerDown(event));
    host.addEventListener("pointermove", (event) => this.pointerMove(event));
    host.addEventListener("pointerup", (event) => this.pointerUp(event));
    host.addEventListener("pointercancel", () => this.cancelDrag());
    host.addEventListener("dblclick", (event) => {
      // A touch screen's double tap is handled in pointerUp (not every browser sends this).
      if (this.editing || this.lastPointer === "touch") return;
      // The canvas holds the pointer (capture), so the event names it: look underneath.
      const g = document.elementFromPoint(event.clientX, event.clientY)?.closest(".mm-node");
      if (g) { this.rename(Number(g.dataset.id)); return; }
      this.create(this.clamp(this.toWorld(event.clientX, event.clientY)));
    });
    host.addEventListener("keydown", (event) => this.key(event));
    // No mouse events or click after a tap (the pointer events handle it): they would land
    // on what the tap opened (the panel over the map, on a phone) and take the focus there.
    host.addEventListener("touchend", (event) => {
      if (!event.target.closest?.(".mm-inline")) event.preventDefault();
    }, { passive: false });
  }

  pointerDown(event) {
    if (event.button !== 0) return;
    this.lastPointer = event.pointerType;
    const g = event.target.closest(".mm-node");
    this.host.setPointerCapture(event.pointerId);
    if (g) {
      const id = Number(g.dataset.id);
      const node = this.store.nodes.get(id);
      const world = this.toWorld(event.clientX, event.clientY);
      this.dragging = { id, at: { x: node.x, y: node.y }, dx: world.x - node.x, dy: world.y - node.y, moved: false };
    } else {
      this.panning = { x: event.clientX - this.view.x, y: event.clientY - this.view.y, moved: false };
    }
  }

  pointerMove(event) {
    const world = this.toWorld(event.clientX, event.clientY);
    const now = performance.now();
    const due = now - this.lastSent >= SEND_EVERY;
    if (this.dragging) {
      const d = this.dragging;
      d.at = this.clamp({ x: world.x - d.dx, y: world.y - d.dy });
      d.moved = true;
      this.moved(d.id);
      if (due) { this.socket.send({ type: "node.drag", node: d.id, x: d.at.x, y: d.at.y }); this.lastSent = now; }
      return;
    }
    if (this.panning) {
      this.panning.moved = true;
      this.view.x = event.clientX - this.panning.x;
      this.view.y = event.clientY - this.panning.y;
      this.applyView();
      return;
    }
    if (this.connecting && this.connectFrom) this.stretch(world);
    if (due && world.x >= 0 && world.y >= 0 && world.x <= this.size.width && world.y <= this.size.height) {
      const at = this.clamp(world);
      this.socket.send({ type: "cursor", x: at.x, y: at.y });
      this.lastSent = now;
    }
  }

  async pointerUp(event) {
    const drag = this.dragging;
    this.dragging = null;
    if (this.panning) {
      const clicked = !this.panning.moved;
      this.panning = null;
      if (!clicked) return;
      const now = Date.now();
      const last = this.lastTap;
      this.lastTap = event.pointerType === "touch" ? { at: now, x: event.clientX, y: event.clientY } : null;
      if (last && now - last.at < DOUBLE_TAP && Math.hypot(event.clientX - last.x, event.clientY - last.y) < 30) {
        this.lastTap = null;
        this.create(this.clamp(this.toWorld(event.clientX, event.clientY)));
        return;
      }
      this.select(null);
      this.endConnect();
      return;
    }
    if (!drag) return;
    if (!drag.moved) { this.clickNode(drag.id); return; }
    const node = this.store.nodes.get(drag.id);
    // Shown where it was dropped until the broadcast confirms (or the error reverts it).
    this.remoteDrags.set(drag.id, { ...drag.at, until: Date.now() + 15000 });
    try {
      await this.socket.request({ type: "node.move", node: drag.id, x: drag.at.x, y: drag.at.y });
    } catch (error) {
      this.onError(error);
    } finally {
      this.remoteDrags.delete(drag.id);
      if (node) this.moved(drag.id);
    }
  }

  cancelDrag() {
    if (this.dragging) { const id = this.dragging.id; this.dragging = null; this.moved(id); }
    this.panning = null;
  }

  async clickNode(id) {
    if (!this.connecting) { this.select(id, true); return; }
    if (!this.connectFrom) { this.pickSource(id); return; }
    const from = this.connectFrom;
    this.endConnect();
    this.select(id);
    if (from === id) { this.announce(this._("Not connected: that is the same node.")); return; }
    const source = this.store.nodes.get(from)?.title ?? "";
    const target = this.store.nodes.get(id)?.title ?? "";
    try {
      await this.socket.request({ type: "connection.create", source: from, target: id });
      this.announce(this._("Connected “%(source)s” and “%(target)s”.").replace("%(source)s", source).replace("%(target)s", target));
    } catch (error) { this.onError(error); }
  }

  // Connect mode, from the selected node if any (by the Connect button or the C key): the
  // next node picked (a click, or the arrows and Enter) is linked to it.
  startConnect() {
    this.connecting = true;
    this.connectFrom = null;
    this.root.classList.add("is-connecting");
    this.root.querySelector("[data-action=connect]")?.setAttribute("aria-pressed", "true");
    if (this.store.nodes.has(this.selected)) this.pickSource(this.selected);
    else this.announce(this._("Connect: select the first node, then the second. Escape cancels."));
  }

  pickSource(id) {
    this.connectFrom = id;
    this.select(id);
    this.nodeEls.get(id)?.classList.add("is-connect-source");
    const title = this.store.nodes.get(id)?.title ?? "";
    this.announce(this._("Connect “%s” to: move to the other node with the arrow keys (or click it), then press Enter. Escape cancels.").replace("%s", title));
  }

  // The rubber band from the node being connected to ``to`` (a point).
  stretch(to) {
    const from = this.store.nodes.get(this.connectFrom);
    if (!from || !to) { this.rubber.hidden = true; return; }
    this.rubber.hidden = false;
    for (const [k, v] of Object.entries({ x1: from.x, y1: from.y, x2: to.x, y2: to.y })) this.rubber.setAttribute(k, v);
  }

  endConnect() {
    this.nodeEls.get(this.connectFrom)?.classList.remove("is-connect-source");
    this.connecting = false;
    this.connectFrom = null;
    this.rubber.hidden = true;
    this.root.classList.remove("is-connecting");
    this.root.querySelector("[data-action=connect]")?.setAttribute("aria-pressed", "false");
  }

  // --- creating and renaming on the canvas -------------------------------------------

  // A new node at ``at`` (linked to ``parent`` when given), selected, its title typed on it.
  async create(at, parent = null) {
    if (this.connecting) return null; // a key or tap meant to pick a node never adds one
    if (this.editing) this.finishEdit(true);
    const back = this.store.nodes.has(this.selected) ? this.selected : null; // Escape goes back there
    try {
      const created = await this.socket.request({ type: "node.create", title: this._("New idea"), x: at.x, y: at.y });
      if (!created.node) return created;
      const id = created.node.id;
      if (parent !== null) await this.socket.request({ type: "connection.create", source: parent, target: id });
      this.select(id);
      this.ensureVisible(id);
      this.rename(id, true, back);
      return created;
    } catch (error) { this.onError(error); return null; }
  }

  addChild(parentId) {
    const parent = this.store.nodes.get(parentId);
    if (!parent) return this.create(this.center());
    const grand = this.store.nodes.get(this.store.parents().get(parentId));
    return this.create(childSpot(this.store.nodes.values(), parent, this.size, this._("New idea"), grand), parentId);
  }

  // A sibling: another child of the node's parent (a root's sibling is a child, as in XMind).
  addSibling(id) {
    const parentId = this.store.parents().get(id);
    return this.addChild(parentId ?? id);
  }

  // ``fresh``: a node just added (Escape takes it back, selecting ``back`` again).
  rename(id, fresh = false, back = null) {
    const node = this.store.nodes.get(id);
    if (!node) return;
    if (this.editing) this.finishEdit(true);
    const input = document.createElement("input");
    input.type = "text";
    input.className = "mm-inline";
    input.maxLength = 64;
    input.value = node.title;
    input.setAttribute("aria-label", this._("Title"));
    input.setAttribute("aria-describedby", "mm-inline-help");
    this.editing = { id, input, title: node.title, fresh, back };
    this.host.append(input);
    this.nodeEls.get(id)?.classList.add("is-editing");
    this.placeEditor();
    input.focus();
    input.select();
    input.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.isComposing) return; // a Korean syllable still being composed
      if (event.key === "Enter") { event.preventDefault(); this.finishEdit(true); }
      else if (event.key === "Escape") { event.preventDefault(); this.finishEdit(false); }
      else if (event.key === "Tab" && !event.shiftKey) {
        event.preventDefault();
        const parent = this.editing.id;
        this.finishEdit(true);
        this.addChild(parent);
      }
    });
    input.addEventListener("input", () => this.placeEditor());
    input.addEventListener("pointerdown", (event) => event.stopPropagation());
    input.addEventListener("dblclick", (event) => event.stopPropagation());
    input.addEventListener("blur", () => { if (this.editing && this.editing.input === input) this.finishEdit(true, false); });
    this.announce(fresh ? this._("New node: type its title, then Enter.") : this._("Rename: type the new title, then Enter."));
  }

  placeEditor() {
    if (!this.editing) return;
    const { id, input } = this.editing;
    const at = this.position(id);
    if (!at) { this.finishEdit(false); return; }
    const { k } = this.view;
    const width = Math.max(nodeWidth(input.value || " "), nodeWidth(this.editing.title)) * k;
    input.style.left = `${this.view.x + at.x * k - width / 2}px`;
    input.style.top = `${this.view.y + (at.y - NODE_HEIGHT / 2) * k}px`;
    input.style.width = `${width}px`;
    input.style.height = `${NODE_HEIGHT * k}px`;
    input.style.fontSize = `${14 * k}px`;
  }

  async finishEdit(save, refocus = true) {
    const editing = this.editing;
    if (!editing) return;
    this.editing = null;
    const { id, input } = editing;
    const title = input.value.trim();
    input.remove();
    this.nodeEls.get(id)?.classList.remove("is-editing");
    if (refocus) this.host.focus();
    const node = this.store.nodes.get(id);
    if (!save && editing.fresh && node) { this.discard(id, editing.back); return; }
    if (!save || !node || !title || title === node.title) return;
    try {
      await this.socket.request({ type: "node.update", node: id, title });
      this.announce(this._("Renamed."));
    } catch (error) { this.onError(error); }
  }

  // Escape on a node just added: it goes again (with the link to its parent), for everyone.
  async discard(id, back) {
    if (this.selected === id) this.select(this.store.nodes.has(back) ? back : null);
    try {
      await this.socket.request({ type: "node.delete", node: id });
      this.announce(this._("New node cancelled."));
    } catch (error) { this.onError(error); }
  }

  // Our rename made a box wider so that it now covers a neighbour: move it to a free spot
  // beside its parent (or, for a root, beside where it was).
  makeRoom(id) {
    const node = this.store.nodes.get(id);
    if (!node || !crowded(this.store.nodes.values(), node)) return;
    const parents = this.store.parents();
    const parent = this.store.nodes.get(parents.get(id));
    const others = [...this.store.nodes.values()].filter((n) => n.id !== id);
    const anchor = parent || node;
    const at = childSpot(others, anchor, this.size, node.title, parent ? this.store.nodes.get(parents.get(parent.id)) : null);
    this.socket.request({ type: "node.move", node: id, x: at.x, y: at.y }).catch((error) => this.onError(error));
  }

  // A node made offline got its real id while its title was being typed.
  remapped(from, to) {
    if (this.selected === from) this.selected = to;
    if (this.editing && this.editing.id === from) this.editing.id = to;
  }

  // --- moving between nodes ---------------------------------------------------------------

  // The nearest node in the arrow's direction (within a cone; else anywhere on that side).
  neighbour(id, [dx, dy]) {
    const from = this.store.nodes.get(id);
    if (!from) return null;
    let best = null;
    for (const [other, node] of this.store.nodes) {
      if (other === id) continue;
      const ahead = (node.x - from.x) * dx + (node.y - from.y) * dy;
      const aside = Math.abs((node.x - from.x) * dy - (node.y - from.y) * dx);
      if (ahead <= 0) continue;
      const score = ahead + aside * (aside > ahead * 2 ? 10 : 2);
      if (!best || score < best.score) best = { id: other, score };
    }
    return best ? best.id : null;
  }

  nearestToCenter() {
    const middle = this.center();
    let best = null;
    for (const [id, node] of this.store.nodes) {
      const distance = Math.hypot(node.x - middle.x, node.y - middle.y);
      if (!best || distance < best.distance) best = { id, distance };
    }
    return best ? best.id : null;
  }

  // Pan so that the node shows, clear of ``below`` px at the bottom (a panel over it).
  ensureVisible(id, below = 0) {
    const node = this.store.nodes.get(id);
    const rect = this.svg.getBoundingClientRect();
    if (!node || !rect.width) return;
    const { k } = this.view;
    const half = (nodeWidth(node.title) / 2 + 20) * k;
    const sx = this.view.x + node.x * k;
    const sy = this.view.y + node.y * k;
    const bottom = Math.max(NODE_HEIGHT * k, rect.height - below);
    if (sx - half < 0 || sx + half > rect.width) this.view.x = rect.width / 2 - node.x * k;
    if (sy - NODE_HEIGHT * k < 0 || sy + NODE_HEIGHT * k > bottom) this.view.y = bottom / 2 - node.y * k;
    this.applyView();
  }

  describe(id) {
    const node = this.store.nodes.get(id);
    if (!node) return "";
    const links = [...this.store.connections.values()].filter((c) => c.source === id || c.target === id).length;
    const ngettext = typeof window.ngettext === "function" ? window.ngettext : (one, many, n) => (n === 1 ? one : many);
    return `${node.title}, ${ngettext("%s link", "%s links", links).replace("%s", links)}`;
  }

  key(event) {
    if (this.editing) return;
    if (this.connecting) {
      const handled = this.connectKey(event);
      if (handled === "pass") return; // Tab leaves the canvas as always
      if (handled) { event.preventDefault(); return; }
    }
    const selected = this.store.nodes.has(this.selected) ? this.selected : null;
    const arrow = ARROWS[event.key];
    if (arrow && event.shiftKey) { // Shift + arrows pan
      this.view.x -= arrow[0] * 120; this.view.y -= arrow[1] * 120; this.applyView();
    } else if (arrow) {
      const next = selected === null ? this.nearestToCenter() : this.neighbour(selected, arrow);
      if (next !== null) {
        this.select(next);
        this.ensureVisible(next);
        this.announce(this.describe(next));
      } else if (selected === null) {
        this.view.x -= arrow[0] * 60; this.view.y -= arrow[1] * 60; this.applyView();
      }
    } else if (event.key === "Tab" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && selected !== null) {
      this.addChild(selected);
    } else if (event.key === "Enter" && selected !== null) this.addSibling(selected);
    else if (event.key === "Enter") this.create(this.center());
    else if (event.key === "F2" && selected !== null) this.rename(selected);
    else if ((event.key === "c" || event.key === "C") && !event.ctrlKey && !event.metaKey && !event.altKey && selected !== null) this.startConnect();
    else if ((event.key === "Delete" || event.key === "Backspace") && selected !== null) this.onDelete(selected);
    else if (event.key === "Insert") this.addChild(selected);
    else if (event.key === "+" || event.key === "=") this.zoomCentered(1.2);
    else if (event.key === "-") this.zoomCentered(1 / 1.2);
    else if (event.key === "0") { this.view.k = 1; this.applyView(); }
    else if (event.key === "Escape") {
      if (!this.connecting && selected === null) return;
      this.endConnect();
      this.select(null);
      this.announce(this._("Nothing selected. Tab leaves the canvas."));
    } else if (event.key === "n") this.create(this.center());
    else return;
    event.preventDefault();
  }

  // Keys in connect mode: the arrows (without Shift) move the candidate, Enter or Space
  // picks it, Escape cancels; keys that would add, rename or delete a node do nothing.
  // False for the keys left to the canvas (panning, zooming), "pass" for Tab.
  connectKey(event) {
    const selected = this.store.nodes.has(this.selected) ? this.selected : null;
    const arrow = ARROWS[event.key];
    if (arrow && !event.shiftKey) {
      const next = selected === null ? this.nearestToCenter() : this.neighbour(selected, arrow);
      if (next !== null) {
        this.select(next);
        this.ensureVisible(next);
        if (this.connectFrom) this.stretch(this.store.nodes.get(next));
        this.announce(this.describe(next));
      }
    } else if (event.key === "Enter" || event.key === " ") {
      if (selected === null) this.announce(this._("Connect: select the first node, then the second. Escape cancels."));
      else this.clickNode(selected);
    } else if (event.key === "Escape") {
      this.endConnect();
      this.announce(this._("Connecting cancelled."));
    } else if (event.key === "Tab") return "pass";
    else if (!["F2", "Delete", "Backspace", "Insert", "n", "c", "C"].includes(event.key)) return false;
    return true;
  }
}
