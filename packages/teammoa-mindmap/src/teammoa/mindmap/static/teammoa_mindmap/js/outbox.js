// Changes made while the socket is down: shown at once, kept in order, and sent when the
// next snapshot arrives (a reconnect). The views talk to this instead of the socket.
//
// - Nodes and links made offline get temporary (negative) ids; later changes to them fold
//   into their creation, and the server's ids replace them once it answers.
// - Before sending, each change is checked against the snapshot: a node someone else
//   deleted, a title or notes someone else changed since (theirs wins, and we say so).
// - A change that was on its way when the socket dropped is resent, unless the snapshot
//   shows it arrived (a node with its title and place, a link that exists).
// - What cannot wait (a recommendation, which toggles) is refused with a message.
// - The queue is kept in the tab's sessionStorage (`storage`, `storageKey`), so a reload
//   while changes wait does not lose them: the next page restores the queue and sends it
//   after its first snapshot, checked like any other. The change that was on its way when
//   the page went counts as uncertain (it may have arrived).

const QUEUED = new Set(["node.create", "node.move", "node.update", "node.delete", "connection.create", "connection.delete", "comment.create"]);
const LOST = new Set(["disconnected", "offline"]);
const RECENT = 15000; // ms during which another person's rename counts as overwriting ours

const fill = (format, values) => format.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));

export class Outbox {
  constructor(socket, store, { gettext, ngettext, onNotice, onChange, onError, myName = "", storage = null, storageKey = "" }) {
    this.socket = socket;
    this.store = store;
    this._ = gettext;
    this.ngettext = ngettext;
    this.onNotice = onNotice || (() => {});
    this.onChange = onChange || (() => {});
    this.onError = onError || (() => {});
    this.myName = myName;
    this.queue = []; // {message, temp?, base?, uncertain?}
    this.ids = new Map(); // temporary id → the server's id
    this.lastTemp = 0;
    this.flushing = false;
    this.renamed = new Map(); // node → {title, at}: our own recent renames
    this.storage = storageKey ? storage : null;
    this.storageKey = storageKey;
    this.restored = 0; // changes taken over from the page before a reload
  }

  // --- kept across a reload ------------------------------------------------------------

  // Take over the queue the previous page of this tab left (call before the first
  // snapshot); returns how many changes wait.
  restore() {
    let kept = null;
    try {
      kept = JSON.parse(this.storage?.getItem(this.storageKey) || "null");
    } catch { kept = null; }
    if (!kept || kept.version !== 1 || !Array.isArray(kept.queue) || !kept.queue.length) return 0;
    this.queue = kept.queue.filter((e) => e && e.message && QUEUED.has(e.message.type));
    if (this.queue.length) this.queue[0].uncertain = true; // it may have been on its way
    this.ids = new Map((kept.ids || []).filter((pair) => Array.isArray(pair) && pair.length === 2));
    this.lastTemp = Math.min(0, Number(kept.lastTemp) || 0, ...this.queue.map((e) => e.temp ?? e.key ?? 0));
    this.restored = this.queue.length;
    this.changed();
    return this.restored;
  }

  save() {
    if (!this.storage) return;
    try {
      if (!this.queue.length) this.storage.removeItem(this.storageKey);
      else this.storage.setItem(this.storageKey, JSON.stringify({ version: 1, queue: this.queue, ids: [...this.ids], lastTemp: this.lastTemp }));
    } catch { /* storage full or refused: the queue still lives in this page */ }
  }

  // Nothing more to send here, ever (the mindmap was deleted).
  forget() {
    this.queue = [];
    this.changed();
  }

  changed() {
    this.save();
    this.onChange();
  }

  get size() { return this.queue.length; }

  get online() { return this.socket.state === "connected" && !this.flushing && !this.queue.length; }

  real(id) { return id < 0 && this.ids.has(id) ? this.ids.get(id) : id; }

  // Cursor and drag frames: live only, never queued.
  send(message) {
    if (message.node !== undefined && this.real(message.node) < 0) return false;
    return this.socket.send(message.node !== undefined ? { ...message, node: this.real(message.node) } : message);
  }

  request(message) {
    const m = this.translate(message);
    if (!QUEUED.has(m.type)) {
      if (this.socket.state === "connected") return this.socket.request(m);
      return Promise.reject(Object.assign(new Error("needs_connection"), {
        code: "needs_connection",
        message: this._("Recommending needs a connection. Try again once reconnected."),
      }));
    }
    if (!this.online) return Promise.resolve(this.enqueue(m));
    return this.socket.request(m).then((answer) => {
      this.remember(m, answer);
      return answer;
    }, (error) => {
      if (LOST.has(error.code)) return this.enqueue(m, true);
      throw error;
    });
  }

  translate(message) {
    const m = { ...message };
    delete m.req;
    for (const key of ["node", "source", "target", "connection"]) {
      if (typeof m[key] === "number") m[key] = this.real(m[key]);
    }
    return m;
  }

  remember(message, answer) {
    if (message.type === "node.update" && "title" in message && answer && answer.type === "node.updated") {
      this.renamed.set(message.node, { title: message.title, at: Date.now() });
    }
  }

  // Another person renamed a node: was it one we renamed a moment ago?
  overwritten(message) {
    const mine = this.renamed.get(message.node);
    if (!mine || message.by === this.store.me || Date.now() - mine.at > RECENT) return null;
    this.renamed.delete(message.node);
    return mine.title !== message.title ? mine.title : null;
  }

  // --- the queue -----------------------------------------------------------------------

  enqueue(message, uncertain = false) {
    const m = { ...message };
    const { type } = m;
    // The entry on its way to the server can no longer change.
    const waiting = this.flushing ? this.queue.slice(1) : this.queue;
    const creation = (id) => waiting.find((e) => e.temp === id);
    let effect;
    if (type === "node.create" || type === "connection.create") {
      this.lastTemp -= 1;
      this.queue.push({ message: m, temp: this.lastTemp, uncertain });
      effect = this.effect(m, this.lastTemp);
    } else if (type === "node.update" || type === "node.move") {
      const fields = type === "node.update" ? ["title", "content"] : ["x", "y"];
      const node = this.store.nodes.get(m.node);
      const earlier = m.node < 0 ? creation(m.node) : waiting.find((e) => e.message.type === type && e.message.node === m.node);
      if (earlier) {
        for (const field of fields) if (field in m) earlier.message[field] = m[field];
        earlier.uncertain = earlier.uncertain || uncertain;
      } else {
        const base = node ? Object.fromEntries(fields.map((f) => [f, node[f]])) : {};
        this.queue.push({ message: m, base, uncertain });
      }
      effect = this.effect(m);
    } else if (type === "node.delete" || type === "connection.delete") {
      effect = this.effect(m);
      const id = type === "node.delete" ? m.node : m.connection;
      const gone = new Set([id]);
      if (type === "node.delete") {
        for (const e of this.queue) {
          if (e.message.type === "connection.create" && (e.message.source === id || e.message.target === id)) gone.add(e.temp);
        }
      }
      const head = this.flushing ? this.queue[0] : null;
      this.queue = this.queue.filter((e) => e === head || !(gone.has(e.temp) || (type === "node.delete" && e.message.node === id)));
      // A real one, or one whose creation is on its way: the server must delete it too.
      if (id > 0 || (head && head.temp === id)) this.queue.push({ message: m, uncertain });
    } else { // comment.create
      this.lastTemp -= 1;
      this.queue.push({ message: m, key: this.lastTemp, uncertain });
      effect = this.effect(m, this.lastTemp);
    }
    this.store.apply(effect);
    this.changed();
    return effect;
  }

  // The change as the server would broadcast it, to show it before the server has it.
  effect(message, temp) {
    const m = this.translate(message);
    const node = this.store.nodes.get(m.node);
    switch (m.type) {
      case "node.create":
        return { type: "node.created", queued: true, by: this.store.me, node: { id: temp, title: m.title, content: m.content || "", x: m.x, y: m.y, recommendations: 0, comment_count: 0 } };
      case "node.update":
        return { type: "node.updated", queued: true, by: this.store.me, node: m.node, title: m.title ?? node?.title ?? "", content: m.content ?? node?.content ?? "" };
      case "node.move":
        return { type: "node.moved", queued: true, by: this.store.me, node: m.node, x: m.x, y: m.y };
      case "node.delete": {
        const links = [...this.store.connections.values()].filter((c) => c.source === m.node || c.target === m.node).map((c) => c.id);
        return { type: "node.deleted", queued: true, by: this.store.me, node: m.node, connections: links };
      }
      case "connection.create":
        return { type: "connection.created", queued: true, by: this.store.me, connection: { id: temp, source: m.source, target: m.target } };
      case "connection.delete":
        return { type: "connection.deleted", queued: true, by: this.store.me, connection: m.connection };
      default: // comment.create
        return {
          type: "comment.created", queued: true, by: this.store.me, node: m.node, comment_count: (node?.comment_count || 0) + 1,
          comment: { id: temp, node: m.node, text: m.text, author: { name: this.myName }, created_at: new Date().toISOString(), queued: true },
        };
    }
  }

  // A snapshot has just replaced the store (a reconnect or a resync): check what waits
  // against it, show it again on top, and send it.
  resume() {
    if (!this.queue.length) return;
    const notices = [];
    const deleted = new Set();
    const nodes = this.store.nodes;
    const exists = (id) => (id < 0 ? this.queue.some((e) => e.temp === id) : nodes.has(id));
    const gone = (id, title) => {
      if (deleted.has(id)) return;
      deleted.add(id);
      notices.push(fill(this._("While you were offline, someone else deleted “%(title)s”; your changes to it were not saved."), { title }));
    };
    const kept = [];
    for (const entry of this.queue) {
      entry.message = { ...this.translate(entry.message), type: entry.message.type };
      const m = entry.message;
      if (entry === this.queue[0] && this.flushing) { kept.push(entry); continue; } // on its way
      if (m.type === "node.create") {
        if (entry.uncertain) {
          const arrived = [...nodes.values()].find((n) => n.id > 0 && n.title === m.title && n.x === m.x && n.y === m.y);
          if (arrived) { this.ids.set(entry.temp, arrived.id); this.store.remap("node", entry.temp, arrived.id); continue; }
        }
        kept.push(entry);
        continue;
      }
      const node = m.node !== undefined ? this.real(m.node) : null;
      if (node !== null) m.node = node;
      if (m.type === "node.delete") { if (nodes.has(node)) kept.push(entry); continue; }
      if (node !== null && !exists(node)) {
        if (m.type !== "node.move") gone(node, entry.base?.title ?? m.title ?? "");
        continue;
      }
      if (m.type === "node.update" && node > 0 && entry.base) {
        const now = nodes.get(node);
        if ("title" in m && now.title !== entry.base.title && now.title !== m.title) {
          notices.push(fill(this._("While you were offline, someone else renamed “%(old)s” to “%(theirs)s”; your title “%(mine)s” was not saved."), { old: entry.base.title, theirs: now.title, mine: m.title }));
          delete m.title;
        }
        if ("content" in m && now.content !== entry.base.content && now.content !== m.content) {
          notices.push(fill(this._("While you were offline, someone else changed the notes of “%(title)s”; your notes were not saved."), { title: now.title }));
          delete m.content;
        }
        if (!("title" in m) && !("content" in m)) continue;
      }
      if (m.type === "connection.create") {
        m.source = this.real(m.source);
        m.target = this.real(m.target);
        if (!exists(m.source) || !exists(m.target)) continue;
        const link = m.source > 0 && m.target > 0 ? this.store.connected(m.source, m.target) : null;
        if (link) {
          this.ids.set(entry.temp, link.id);
          this.store.remap("connection", entry.temp, link.id);
          continue;
        }
      }
      if (m.type === "connection.delete" && !this.store.connections.has(m.connection)) continue;
      kept.push(entry);
    }
    this.queue = kept;
    for (const entry of this.queue) this.store.apply(this.effect(entry.message, entry.temp ?? entry.key));
    for (const notice of notices) this.onNotice(notice, true);
    if (this.restored) {
      this.onNotice(fill(this.ngettext("%(count)s change made before the page was reloaded is being sent.", "%(count)s changes made before the page was reloaded are being sent.", this.restored), { count: this.restored }), false);
      this.restored = 0;
    }
    this.changed();
    if (!this.flushing) this.flush();
  }

  async flush() {
    this.flushing = true;
    let sent = 0;
    while (this.queue.length && this.socket.state === "connected") {
      const entry = this.queue[0];
      const m = this.translate(entry.message);
      if ([m.node, m.source, m.target, m.connection].some((id) => typeof id === "number" && id < 0)) {
        this.queue.shift(); // what it refers to was never made
        continue;
      }
      let answer;
      try {
        answer = await this.socket.request(m);
      } catch (error) {
        if (LOST.has(error.code)) { entry.uncertain = true; break; }
        this.queue.shift();
        this.onError(error);
        continue;
      }
      if (answer.type === "snapshot") { // a resync answered it; resume() sorts it out
        entry.uncertain = true;
        this.flushing = false;
        this.resume();
        return;
      }
      if (this.queue[0] === entry) this.queue.shift();
      sent += 1;
      this.remember(m, answer);
      if (entry.temp !== undefined && entry.temp < 0) {
        const kind = m.type === "node.create" ? "node" : "connection";
        const id = kind === "node" ? answer.node?.id : answer.connection?.id;
        if (id !== undefined) { this.ids.set(entry.temp, id); this.store.remap(kind, entry.temp, id); }
      }
      this.changed();
    }
    this.flushing = false;
    this.changed();
    if (sent && !this.queue.length) {
      this.onNotice(fill(this.ngettext("%(count)s change made offline was saved.", "%(count)s changes made offline were saved.", sent), { count: sent }), false);
    }
  }
}
