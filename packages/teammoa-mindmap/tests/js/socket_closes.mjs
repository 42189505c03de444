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
  constructor(url) { this.url = url; this.handlers = {}; opened.push(this); }
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
console.log(JSON.stringify(result));
