// The mindmap's state in the browser: what the last snapshot said plus every change since.
// Views subscribe and re-render; nothing here touches the DOM.

export const NODE_HEIGHT = 40;
export const NODE_MIN_WIDTH = 80;
export const NODE_MAX_WIDTH = 320;
const PADDING = 28; // room left and right of the title inside its box
const FONT_SIZE = 14; // px, as .mm-node__title in mindmap.css

// Hangul, kana, CJK ideographs, fullwidth forms and most emoji take a full em; the rest is
// reckoned at 0.62 em (wide for Latin, so a guess never lets text spill).
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA960-\uA97F\uAC00-\uD7FF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F000}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;
export function estimateWidth(text) {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? FONT_SIZE : FONT_SIZE * 0.62;
  return width;
}

// How wide a title is drawn, in px at zoom 1. The page swaps in the browser's own measure
// (useMeasure) so boxes fit their text in any script; tests and the server side keep the
// estimate.
let measure = estimateWidth;
const labels = new Map();
export function useMeasure(fn) {
  measure = fn;
  labels.clear();
}

// The text shown in a node's box (the title, shortened with "…" when it is wider than the
// widest box) and the box's width.
export function nodeLabel(title) {
  let label = labels.get(title);
  if (label) return label;
  let text = title;
  const room = NODE_MAX_WIDTH - PADDING;
  if (measure(text) > room) {
    const chars = [...title];
    let low = 0;
    let high = chars.length;
    while (low < high) { // the longest start that fits with its ellipsis
      const mid = Math.ceil((low + high) / 2);
      if (measure(`${chars.slice(0, mid).join("").trimEnd()}…`) <= room) low = mid; else high = mid - 1;
    }
    text = `${chars.slice(0, low).join("").trimEnd()}…`;
  }
  const width = Math.round(Math.min(NODE_MAX_WIDTH, Math.max(NODE_MIN_WIDTH, measure(text) + PADDING)));
  label = { text, width, shortened: text !== title };
  if (labels.size > 2000) labels.clear();
  labels.set(title, label);
  return label;
}

export function nodeWidth(title) {
  return nodeLabel(title).width;
}

// Where a new child of ``parent`` goes: the first spot, on arcs fanning out from the parent
// (away from its own parent, ``from``, when it has one; else to the right), where its box
// clears every node's box by a margin. Children added one after another so spread out
// instead of landing on one spot.
const GAP = 24;

// Whether ``node`` (at its place, with ``title``) would touch another node's box.
export function crowded(nodes, node, title = node.title) {
  const width = nodeWidth(title);
  for (const other of nodes) {
    if (other.id === node.id) continue;
    const reach = (width + nodeWidth(other.title)) / 2 + GAP / 2;
    if (Math.abs(other.x - node.x) < reach && Math.abs(other.y - node.y) < NODE_HEIGHT + GAP / 2) return true;
  }
  return false;
}

export function childSpot(nodes, parent, size, title, from = null) {
  const width = nodeWidth(title);
  const others = [...nodes]; // a Map's values() can be walked only once
  const clear = (x, y) => {
    if (x < width / 2 || y < NODE_HEIGHT / 2 || x > size.width - width / 2 || y > size.height - NODE_HEIGHT / 2) return false;
    for (const other of others) {
      const reach = (width + nodeWidth(other.title)) / 2 + GAP;
      if (Math.abs(other.x - x) < reach && Math.abs(other.y - y) < NODE_HEIGHT + GAP) return false;
    }
    return true;
  };
  const base = from && (from.x !== parent.x || from.y !== parent.y) ? Math.atan2(parent.y - from.y, parent.x - from.x) : 0;
  const start = nodeWidth(parent.title) / 2 + width / 2 + 80;
  // Within ±60° of the way out on widening rings first, then all the way round.
  for (const widest of [3, 9]) {
    for (let ring = 0; ring < 8; ring += 1) {
      const radius = start + ring * 140;
      for (let step = 0; step <= widest; step += 1) {
        for (const sign of step ? [1, -1] : [1]) {
          const angle = base + (sign * step * 20 * Math.PI) / 180;
          const x = Math.round(parent.x + radius * Math.cos(angle));
          const y = Math.round(parent.y + radius * Math.sin(angle));
          if (clear(x, y)) return { x, y };
        }
      }
    }
  }
  // A crowded map: the first free spot in rows over the whole paper.
  for (let y = NODE_HEIGHT; y <= size.height - NODE_HEIGHT / 2; y += NODE_HEIGHT + GAP) {
    for (let x = width / 2 + GAP; x <= size.width - width / 2; x += 40) {
      if (clear(x, y)) return { x, y };
    }
  }
  return {
    x: Math.min(size.width, parent.x + start),
    y: Math.min(size.height, parent.y + NODE_HEIGHT + GAP),
  };
}

export class Store {
  constructor(me) {
    this.me = me;
    this.title = "";
    this.version = 0;
    this.nodes = new Map();
    this.connections = new Map();
    this.people = new Map();
    this.listeners = new Set();
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event) {
    for (const listener of this.listeners) listener(event);
  }

  load(snapshot) {
    this.title = snapshot.mindmap.title;
    this.version = snapshot.version;
    this.nodes = new Map(snapshot.nodes.map((n) => [n.id, { ...n }]));
    this.connections = new Map(snapshot.connections.map((c) => [c.id, { ...c }]));
    this.people = new Map((snapshot.presence || []).map((p) => [p.user, p]));
    this.emit({ type: "snapshot" });
  }

  // Apply a broadcast; every change carries absolute values, so applying twice is harmless.
  apply(message) {
    const node = (id) => this.nodes.get(id);
    switch (message.type) {
      case "node.created":
        this.nodes.set(message.node.id, { ...message.node, recommended_by_me: false });
        break;
      case "node.moved":
        if (node(message.node)) Object.assign(node(message.node), { x: message.x, y: message.y });
        break;
      case "node.updated":
        if (node(message.node)) Object.assign(node(message.node), { title: message.title, content: message.content });
        break;
      case "node.deleted":
        this.nodes.delete(message.node);
        for (const id of message.connections || []) this.connections.delete(id);
        for (const [id, c] of this.connections) if (c.source === message.node || c.target === message.node) this.connections.delete(id);
        break;
      case "connection.created":
        this.connections.set(message.connection.id, { ...message.connection });
        break;
      case "connection.deleted":
        this.connections.delete(message.connection);
        break;
      case "node.recommended":
        if (node(message.node)) {
          node(message.node).recommendations = message.count;
          if (message.user === this.me) node(message.node).recommended_by_me = message.on;
        }
        break;
      case "comment.created":
        if (node(message.node)) node(message.node).comment_count = message.comment_count;
        break;
      case "mindmap.updated":
        this.title = message.mindmap.title;
        break;
      case "presence.joined":
        this.people.set(message.user, { user: message.user, name: message.name, color: message.color });
        break;
      case "presence.left":
        this.people.delete(message.user);
        break;
      default:
        return;
    }
    if (typeof message.version === "number") this.version = message.version;
    this.emit(message);
  }

  // Each node's parent in the outline's trees (null for a root).
  parents() {
    const parents = new Map();
    const walk = (branch) => {
      for (const child of branch.children) { parents.set(child.id, branch.id); walk(child); }
    };
    for (const root of this.tree()) { parents.set(root.id, null); walk(root); }
    return parents;
  }

  // A change shown here before the server has it (offline) is taken back or renamed once
  // the server answers: the temporary id gives way to the real one.
  remap(kind, from, to) {
    if (kind === "node") {
      this.nodes.delete(from);
      for (const c of this.connections.values()) {
        if (c.source === from) c.source = to;
        if (c.target === from) c.target = to;
      }
    } else {
      this.connections.delete(from);
    }
    this.emit({ type: "local.remapped", kind, from, to });
  }

  connected(a, b) {
    for (const c of this.connections.values()) {
      if ((c.source === a && c.target === b) || (c.source === b && c.target === a)) return c;
    }
    return null;
  }

  // The outline: each connected group is a tree rooted at its oldest node, children found
  // breadth-first and read top to bottom, left to right (as the Markdown/OPML exports).
  tree() {
    const neighbours = new Map([...this.nodes.keys()].map((id) => [id, []]));
    for (const c of this.connections.values()) {
      if (neighbours.has(c.source) && neighbours.has(c.target)) {
        neighbours.get(c.source).push(c.target);
        neighbours.get(c.target).push(c.source);
      }
    }
    const order = (a, b) => {
      const na = this.nodes.get(a), nb = this.nodes.get(b);
      return na.y - nb.y || na.x - nb.x || a - b;
    };
    const placed = new Set();
    const roots = [];
    for (const rootId of [...this.nodes.keys()].sort((a, b) => a - b)) {
      if (placed.has(rootId)) continue;
      const root = { id: rootId, children: [], parent: null };
      placed.add(rootId);
      const queue = [root];
      while (queue.length) {
        const branch = queue.shift();
        for (const childId of neighbours.get(branch.id).slice().sort(order)) {
          if (placed.has(childId)) continue;
          placed.add(childId);
          const child = { id: childId, children: [], parent: branch };
          branch.children.push(child);
          queue.push(child);
        }
      }
      roots.push(root);
    }
    return roots;
  }
}
