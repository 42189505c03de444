// The mindmap's WebSocket (protocol v1): reconnects with backoff and jitter, keeps the
// connection alive through idle proxies, answers requests by their `req`, and asks for a
// fresh snapshot whenever a change is missing (a gap in versions).

const PING_EVERY = 20000; // well inside a 60 s proxy idle timeout
const PONG_WITHIN = 10000;
const REQUEST_TIMEOUT = 15000;
const BACKOFF_BASE = 500;
const BACKOFF_MAX = 15000;
// Close codes (docs/websocket.md). Closes that reconnecting cannot fix:
const FINAL = { 4401: "unauthenticated", 4403: "forbidden", 4404: "not_found" };
// Closes after which it tries again, saying why meanwhile: too many sockets for this
// user (slowly, or at once when the tab is shown again), the server cannot save changes.
const RETRY = { 4429: "too_many", 4500: "unavailable" };
const TOO_MANY_RETRY = 60000;
// While the browser says it has no network, try only now and then; its "online" event
// reconnects at once.
const OFFLINE_RETRY = 30000;

export class MindmapSocket {
  constructor(path, { onMessage, onState, onFinal, onTrouble } = {}) {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    this.url = `${scheme}//${window.location.host}${path}?batch=1`;
    this.onMessage = onMessage || (() => {});
    this.onState = onState || (() => {});
    this.onFinal = onFinal || (() => {});
    this.onTrouble = onTrouble || (() => {});
    this.version = null; // the last version applied; null until the first snapshot
    this.pending = new Map(); // req → {resolve, reject, timer}
    this.attempt = 0;
    this.sequence = 0;
    this.stopped = false;
    this.state = "connecting";
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => this.goOffline());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible") return;
      if (this.trouble === "too_many") this.reconnectNow(); // another tab may have closed
      else this.ping();
    });
  }

  start() { this.open(); }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.onState(state);
  }

  open() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.lastHeard = Date.now();
      this.heartbeat = window.setInterval(() => this.ping(), PING_EVERY);
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", (event) => this.closed(ws, event));
    ws.addEventListener("error", () => {}); // a close follows
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    window.clearInterval(this.heartbeat);
    window.clearTimeout(this.pongTimer);
    this.ws = null;
    for (const [req, waiter] of this.pending) {
      window.clearTimeout(waiter.timer);
      waiter.reject(Object.assign(new Error("disconnected"), { code: "disconnected", req }));
    }
    this.pending.clear();
    if (FINAL[event.code]) {
      this.stopped = true;
      this.setState("offline");
      this.onFinal(FINAL[event.code]);
      return;
    }
    this.trouble = RETRY[event.code] || null;
    // The next snapshot replaces whatever was shown but never saved (a resync).
    this.scheduleReconnect(this.trouble === "too_many" ? TOO_MANY_RETRY : 0);
    if (this.trouble) this.onTrouble(this.trouble); // after the state, so it stays shown
  }

  scheduleReconnect(atLeast = 0) {
    if (this.stopped) return;
    this.setState(navigator.onLine === false ? "offline" : "reconnecting");
    // Full jitter: a server restart is not met by every client at the same instant.
    const ceiling = Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** this.attempt);
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    const wait = navigator.onLine === false ? Math.max(atLeast, OFFLINE_RETRY) : atLeast + Math.random() * ceiling;
    this.retryTimer = window.setTimeout(() => this.open(), wait);
  }

  // The browser lost its network: the socket is as good as gone (it may take minutes to
  // notice by itself), so close it now and wait for the network.
  goOffline() {
    if (this.stopped) return;
    const ws = this.ws;
    if (ws) {
      this.closed(ws, { code: 1006 });
      try { ws.close(); } catch { /* already closing */ }
    }
    this.setState("offline");
  }

  reconnectNow() {
    if (this.stopped || (this.ws && this.ws.readyState === WebSocket.OPEN)) return;
    this.attempt = 0;
    this.open();
  }

  // A dropped socket (a sleeping laptop, a proxy that lost it) is noticed by a ping that
  // gets no pong; then it is closed and reconnected.
  ping() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    this.send({ type: "ping", req: this.nextReq() });
    window.clearTimeout(this.pongTimer);
    this.pongTimer = window.setTimeout(() => {
      if (Date.now() - this.lastHeard >= PONG_WITHIN && this.ws) {
        const stale = this.ws;
        this.closed(stale, { code: 4000 });
        stale.close();
      }
    }, PONG_WITHIN);
  }

  nextReq() {
    this.sequence += 1;
    return `c${this.sequence}`;
  }

  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  // Send a change; resolves with its broadcast, rejects with the error frame.
  request(message) {
    const req = this.nextReq();
    return new Promise((resolve, reject) => {
      if (!this.send({ ...message, req })) {
        reject(Object.assign(new Error("offline"), { code: "offline" }));
        return;
      }
      const timer = window.setTimeout(() => {
        this.pending.delete(req);
        reject(Object.assign(new Error("timeout"), { code: "timeout" }));
      }, REQUEST_TIMEOUT);
      this.pending.set(req, { resolve, reject, timer });
    });
  }

  resync() { this.send({ type: "resync", req: this.nextReq() }); }

  receive(text) {
    this.lastHeard = Date.now();
    let data;
    try { data = JSON.parse(text); } catch { return; }
    const messages = data.type === "batch" ? data.messages : [data];
    for (const message of messages) this.handle(message);
  }

  handle(message) {
    const waiter = message.req != null ? this.pending.get(message.req) : null;
    if (message.type === "snapshot") {
      this.attempt = 0;
      this.trouble = null;
      this.resyncing = false;
      this.version = message.version;
      // Whatever we were waiting for is in this snapshot now; not what is sent while it is
      // being applied (the changes made offline), hence before onMessage.
      for (const [, pending] of this.pending) { window.clearTimeout(pending.timer); pending.resolve(message); }
      this.pending.clear();
      this.setState("connected");
      this.onMessage(message);
      return;
    }
    if (message.type === "pong") {
      window.clearTimeout(this.pongTimer);
      if (this.version !== null && message.version > this.version) this.resync();
      if (waiter) this.settle(message.req, waiter, message);
      return;
    }
    if (message.type === "error") {
      if (waiter) {
        window.clearTimeout(waiter.timer);
        this.pending.delete(message.req);
        waiter.reject(Object.assign(new Error(message.message), message));
      }
      this.onMessage(message);
      return;
    }
    if (typeof message.version === "number") {
      if (waiter) this.settle(message.req, waiter, message);
      if (this.resyncing || this.version === null || message.version <= this.version) return;
      if (message.version !== this.version + 1) { // a change went missing: start over
        this.resyncing = true;
        this.resync();
        return;
      }
      this.version = message.version;
    }
    this.onMessage(message);
  }

  settle(req, waiter, message) {
    window.clearTimeout(waiter.timer);
    this.pending.delete(req);
    waiter.resolve(message);
  }
}
