// How MindmapSocket reacts to each close code (docs/websocket.md), with a fake browser.
// Run by tests/test_js_socket.py: prints one JSON line of observations.
const timers = [];
const listeners = {};
globalThis.window = {
  location: { protocol: "https:", host: "teammoa.example" },
  addEventListener: () => {},
  setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
  clearTimeout: () => {},
  setInterval: () => 0,
  clearInterval: () => {},
};
globalThis.setTimeout = window.setTimeout;
globalThis.clearTimeout = () => {};
globalThis.document = { addEventListener: (kind, fn) => { listeners[kind] = fn; }, visibilityState: "visible" };
globalThis.navigator = { onLine: true };
const opened = [];
class FakeWebSocket {
  constructor(url) { this.url = url; this.handlers = {}; this.readyState = 1; this.sent = []; opened.push(this); }
  send(text) { this.sent.push(JSON.parse(text)); }
  addEventListener(kind, fn) { this.handlers[kind] = fn; }
  close() {}
}
FakeWebSocket.OPEN = 1;
globalThis.WebSocket = FakeWebSocket;

const { MindmapSocket } = await import(process.argv[2]);

function run(code) {
  timers.length = 0;
  opened.length = 0;
  const seen = { final: null, trouble: null, states: [] };
  const socket = new MindmapSocket("/ws/mindmaps/1/", {
    onFinal: (reason) => { seen.final = reason; },
    onTrouble: (reason) => { seen.trouble = reason; },
    onState: (state) => seen.states.push(state),
  });
  socket.start();
  opened[0].handlers.close({ code });
  seen.retryAfterMs = timers.length ? timers[timers.length - 1].ms : null;
  seen.url = opened[0].url;
  if (timers.length) timers[timers.length - 1].fn(); // the retry fires
  seen.reopened = opened.length === 2;
  return seen;
}

const result = {};
for (const code of [4401, 4403, 4404, 4429, 4500, 1012, 1006]) result[code] = run(code);
// 4429: coming back to the tab tries again at once.
timers.length = 0; opened.length = 0;
const capped = new MindmapSocket("/ws/mindmaps/1/", {});
capped.start();
opened[0].handlers.close({ code: 4429 });
listeners.visibilitychange();
result.visible_after_4429_reopens = opened.length === 2;
// A snapshot settles what was waiting before it, not what is sent while it is applied
// (the editor sends its offline changes from inside onMessage).
timers.length = 0; opened.length = 0;
let during = null;
const resumed = new MindmapSocket("/ws/mindmaps/1/", {
  onMessage: (message) => { if (message.type === "snapshot") during = resumed.request({ type: "node.create", title: "x", x: 1, y: 1 }); },
});
resumed.start();
const before = resumed.request({ type: "node.move", node: 1, x: 1, y: 1 });
let beforeAnswer = null;
before.then((answer) => { beforeAnswer = answer.type; });
resumed.receive(JSON.stringify({ type: "snapshot", version: 3, mindmap: {}, nodes: [], connections: [] }));
await Promise.resolve();
result.snapshot_settles = { before: beforeAnswer, duringPending: resumed.pending.size === 1 && during !== null };
console.log(JSON.stringify(result));
