// The mindmap's state in the browser: what the last snapshot said plus every change since.
// Views subscribe and re-render; nothing here touches the DOM.

export const NODE_HEIGHT = 40;

export function nodeWidth(title) {
  const text = title.length > 32 ? `${title.slice(0, 31)}…` : title;
  return Math.min(280, Math.max(80, text.length * 8.5 + 24));
}

// Where a new child of ``parent`` goes: the first spot, on arcs fanning out to the right of
// the parent, where its box clears every node's box by a margin. Children
// added one after another so spread out instead of landing on one spot.
const GAP = 24;
export function childSpot(nodes, parent, size, title) {
  const width = nodeWidth(title);
  const others = [...nodes]; // a Map's values() can be walked only once
  const clear = (x, y) => {
    for (const other of others) {
      const reach = (width + nodeWidth(other.title)) / 2 + GAP;
      if (Math.abs(other.x - x) < reach && Math.abs(other.y - y) < NODE_HEIGHT + GAP) return false;
    }
    return x >= 0 && y >= 0 && x <= size.width && y <= size.height;
  };
  const start = nodeWidth(parent.title) / 2 + width / 2 + 80;
  // To the right within ±60° on widening rings first, then all the way round.
  for (const widest of [3, 8]) {
    for (let ring = 0; ring < 6; ring += 1) {
      const radius = start + ring * 140;
      for (let step = 0; step <= widest; step += 1) {
        for (const sign of step ? [1, -1] : [1]) {
          const angle = (sign * step * 20 * Math.PI) / 180;
          const x = Math.round(parent.x + radius * Math.cos(angle));
          const y = Math.round(parent.y + radius * Math.sin(angle));
          if (clear(x, y)) return { x, y };
        }
      }
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
