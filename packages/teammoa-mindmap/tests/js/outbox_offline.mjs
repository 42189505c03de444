// The editor's offline queue (outbox.js) against a fake socket and the real store.
// Run by tests/test_js_editor.py: prints one JSON line of observations.
const base = process.argv[2];
const { Store } = await import(`${base}/store.js`);
const { Outbox } = await import(`${base}/outbox.js`);

class FakeSocket {
  constructor(store) { this.store = store; this.state = "connected"; this.sent = []; this.version = 10; this.nextId = 100; }
  send() { return this.state === "connected"; }
  request(message) {
    if (this.state !== "connected") return Promise.reject(Object.assign(new Error("offline"), { code: "offline" }));
    this.sent.push(message);
    this.version += 1;
    const by = this.store.me;
    let answer;
    switch (message.type) {
      case "node.create": answer = { type: "node.created", node: { id: this.nextId++, title: message.title, content: "", x: message.x, y: message.y, recommendations: 0, comment_count: 0 } }; break;
      case "connection.create": answer = { type: "connection.created", connection: { id: this.nextId++, source: message.source, target: message.target } }; break;
      case "node.update": {
        const node = this.store.nodes.get(message.node);
        answer = { type: "node.updated", node: message.node, title: message.title ?? node.title, content: message.content ?? node.content }; break;
      }
      case "node.move": answer = { type: "node.moved", node: message.node, x: message.x, y: message.y }; break;
      case "node.delete": answer = { type: "node.deleted", node: message.node, connections: [] }; break;
      case "comment.create": answer = { type: "comment.created", node: message.node, comment_count: 1, comment: { id: this.nextId++, node: message.node, text: message.text } }; break;
      default: answer = { type: "error", code: "unknown_type" };
    }
    Object.assign(answer, { version: this.version, by });
    this.store.apply(answer); // as the editor does with the broadcast
    return Promise.resolve(answer);
  }
}

const node = (id, title, x = 100, y = 100) => ({ id, title, content: "", x, y, recommendations: 0, comment_count: 0 });
function world(nodes, connections = []) {
  const store = new Store(1);
  store.load({ mindmap: { title: "Map" }, version: 10, nodes, connections, presence: [] });
  const socket = new FakeSocket(store);
  const notices = [];
  const outbox = new Outbox(socket, store, {
    gettext: (s) => s,
    ngettext: (one, many, n) => (n === 1 ? one : many),
    onNotice: (text, important) => notices.push({ text, important }),
  });
  return { store, socket, outbox, notices };
}
const titles = (store) => [...store.nodes.values()].map((n) => n.title).sort();
const flushed = () => new Promise((resolve) => setTimeout(resolve, 20));
const result = {};

// 1. Offline: rename, create a child, link it; someone else renames the same node and
//    deletes another; on reconnect their rename wins (we are told), the rest is sent.
{
  const { store, socket, outbox, notices } = world([node(1, "Root"), node(2, "Venue", 300, 100), node(3, "Budget", 300, 300)]);
  socket.state = "offline";
  await outbox.request({ type: "node.update", node: 2, title: "Venue (library)" });
  const created = await outbox.request({ type: "node.create", title: "New idea", x: 500, y: 100 });
  await outbox.request({ type: "connection.create", source: 2, target: created.node.id });
  await outbox.request({ type: "node.update", node: created.node.id, title: "Guest list" });
  await outbox.request({ type: "node.move", node: created.node.id, x: 520, y: 120 });
  const whileOffline = { titles: titles(store), queued: outbox.size, temp: created.node.id < 0 };
  // The server meanwhile: Venue renamed by someone else, Budget deleted.
  socket.state = "connected";
  store.load({ mindmap: { title: "Map" }, version: 12, nodes: [node(1, "Root"), node(2, "Venue: city hall", 300, 100)], connections: [], presence: [] });
  outbox.resume();
  await flushed();
  result.offline = {
    whileOffline,
    sent: socket.sent.map((m) => m.type),
    created: socket.sent.find((m) => m.type === "node.create"),
    link: socket.sent.find((m) => m.type === "connection.create"),
    titles: titles(store),
    connections: [...store.connections.values()].map((c) => [c.source, c.target]),
    notices,
    left: outbox.size,
  };
}

// 2. A node made and deleted offline never reaches the server; a delete of a node
//    someone else deleted is dropped quietly.
{
  const { store, socket, outbox, notices } = world([node(1, "Root"), node(2, "Old")]);
  socket.state = "offline";
  const created = await outbox.request({ type: "node.create", title: "Scratch", x: 1, y: 1 });
  await outbox.request({ type: "connection.create", source: 1, target: created.node.id });
  await outbox.request({ type: "node.delete", node: created.node.id });
  await outbox.request({ type: "node.delete", node: 2 });
  const queued = outbox.size;
  socket.state = "connected";
  store.load({ mindmap: { title: "Map" }, version: 11, nodes: [node(1, "Root")], connections: [], presence: [] });
  outbox.resume();
  await flushed();
  result.scratch = { queued, sent: socket.sent.map((m) => m.type), notices, titles: titles(store) };
}

// 3. Changes to a node someone else deleted are not saved, and we are told.
{
  const { store, socket, outbox, notices } = world([node(1, "Root"), node(2, "Gone")]);
  socket.state = "offline";
  await outbox.request({ type: "node.update", node: 2, title: "Renamed" });
  await outbox.request({ type: "comment.create", node: 2, text: "hi" });
  socket.state = "connected";
  store.load({ mindmap: { title: "Map" }, version: 11, nodes: [node(1, "Root")], connections: [], presence: [] });
  outbox.resume();
  await flushed();
  result.deleted = { sent: socket.sent.map((m) => m.type), notices };
}

// 4. A recommendation cannot wait: refused with a message; online, a change goes straight out.
{
  const { socket, outbox } = world([node(1, "Root")]);
  socket.state = "offline";
  try { await outbox.request({ type: "node.recommend", node: 1 }); result.recommend = "sent"; } catch (error) { result.recommend = { code: error.code, message: error.message }; }
  socket.state = "connected";
  const answer = await outbox.request({ type: "node.update", node: 1, title: "Root 2" });
  result.online = { type: answer.type, queued: Boolean(answer.queued), sent: socket.sent.length };
}

// 5. A change on its way when the socket dropped is resent; a creation the snapshot shows
//    arrived is not made twice.
{
  const { store, socket, outbox } = world([node(1, "Root")]);
  socket.request = (message) => Promise.reject(Object.assign(new Error("disconnected"), { code: "disconnected" }));
  socket.state = "connected";
  const created = await outbox.request({ type: "node.create", title: "Idea", x: 10, y: 20 });
  await outbox.request({ type: "node.move", node: 1, x: 50, y: 60 });
  socket.state = "reconnecting";
  delete socket.request; // back to the class's request
  socket.state = "connected";
  store.load({ mindmap: { title: "Map" }, version: 11, nodes: [node(1, "Root"), node(7, "Idea", 10, 20)], connections: [], presence: [] });
  outbox.resume();
  await flushed();
  result.uncertain = { temp: created.node.id < 0, sent: socket.sent.map((m) => m.type), titles: titles(store), root: store.nodes.get(1) };
}

// 6. A resync's snapshot answers the creation on its way (the server had not made it
//    yet): it is sent again once, and no temporary node stays behind.
{
  const { store, socket, outbox } = world([node(1, "Root")]);
  socket.state = "offline";
  await outbox.request({ type: "node.create", title: "Idea", x: 10, y: 20 });
  socket.state = "connected";
  const real = socket.request.bind(socket);
  let first = true;
  socket.request = (message) => {
    if (!first) return real(message);
    first = false;
    socket.sent.push(message);
    const snapshot = { type: "snapshot", mindmap: { title: "Map" }, version: 11, nodes: [node(1, "Root")], connections: [], presence: [] };
    store.load(snapshot);
    outbox.resume(); // as the editor does on every snapshot
    return Promise.resolve(snapshot);
  };
  store.load({ mindmap: { title: "Map" }, version: 10, nodes: [node(1, "Root")], connections: [], presence: [] });
  outbox.resume();
  await flushed();
  result.resync = { sent: socket.sent.map((m) => m.type), ids: [...store.nodes.keys()].sort(), left: outbox.size };
}

// 7. A reload while changes wait: the next page of the tab restores them from its
//    sessionStorage and sends them after its first snapshot; the one that was on its way
//    when the page went (here: it had arrived) is not made twice.
{
  class FakeStorage {
    constructor() { this.items = new Map(); }
    getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
    setItem(key, value) { this.items.set(key, String(value)); }
    removeItem(key) { this.items.delete(key); }
  }
  const storage = new FakeStorage();
  const key = "teammoa.mindmap.outbox.1.7";
  const page = (nodes) => {
    const w = world(nodes);
    w.outbox = new Outbox(w.socket, w.store, {
      gettext: (s) => s,
      ngettext: (one, many, n) => (n === 1 ? one : many),
      onNotice: (text, important) => w.notices.push({ text, important }),
      storage,
      storageKey: key,
    });
    return w;
  };
  const first = page([node(1, "Root"), node(2, "Venue", 300, 100)]);
  first.socket.state = "offline";
  const idea = await first.outbox.request({ type: "node.create", title: "Idea", x: 500, y: 100 });
  await first.outbox.request({ type: "connection.create", source: 1, target: idea.node.id });
  await first.outbox.request({ type: "node.update", node: 2, title: "Venue (library)" });
  const keptWhileOffline = JSON.parse(storage.getItem(key)).queue.length;
  // The reloaded page: a new store and outbox, the same tab's storage. Meanwhile "Idea"
  // had reached the server (it was on its way when the page went).
  const second = page([]);
  const restored = second.outbox.restore();
  const otherTab = new Outbox(second.socket, second.store, { gettext: (s) => s, ngettext: (o) => o, storage, storageKey: "teammoa.mindmap.outbox.1.8" }).restore();
  second.store.load({ mindmap: { title: "Map" }, version: 11, nodes: [node(1, "Root"), node(2, "Venue", 300, 100), node(40, "Idea", 500, 100)], connections: [], presence: [] });
  second.outbox.resume();
  await flushed();
  const garbage = new FakeStorage();
  garbage.setItem(key, "{not json");
  const broken = new Outbox(second.socket, second.store, { gettext: (s) => s, ngettext: (o) => o, storage: garbage, storageKey: key }).restore();
  result.reload = {
    keptWhileOffline,
    restored,
    otherMindmap: otherTab,
    sent: second.socket.sent,
    titles: titles(second.store),
    connections: [...second.store.connections.values()].map((c) => [c.source, c.target]),
    left: second.outbox.size,
    storageLeft: storage.getItem(key),
    notices: second.notices.map((n) => n.text),
    broken,
  };
}

console.log(JSON.stringify(result));
