// The side panel: edit the selected node's title and notes, recommend it, read and write
// its comments.
import { api } from "../../teammoa_core/js/api.js";

export class Panel {
  constructor(root, store, socket, { apiUrl, timeZone, onError, gettext, announce, errorText, isOnline }) {
    this.panel = root.querySelector("[data-panel]");
    this.store = store;
    this.socket = socket;
    this.apiUrl = apiUrl;
    this.onError = onError;
    this._ = gettext;
    this.announce = announce;
    this.errorText = errorText || ((error) => (error && error.message) || "");
    this.isOnline = isOnline || (() => true);
    this.timeZone = timeZone || undefined; // the team's, as on the site's other pages
    this.id = null;
    this.q = (selector) => this.panel.querySelector(selector);
    this.form = this.q("[data-node-form]");
    this.commentForm = this.q("[data-comment-form]");
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.save(); });
    this.form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); this.save(); }
    });
    this.commentForm.addEventListener("submit", (event) => { event.preventDefault(); this.comment(); });
    this.q("[data-recommend]").addEventListener("click", () => this.recommend());
    this.q("[data-delete]").addEventListener("click", () => this.remove());
    this.panel.classList.remove("is-open");
  }

  show(id) {
    const changed = id !== this.id;
    this.id = id;
    const node = id !== null ? this.store.nodes.get(id) : null;
    this.q("[data-panel-empty]").hidden = Boolean(node);
    this.q("[data-panel-body]").hidden = !node;
    this.panel.classList.toggle("is-open", Boolean(node));
    if (!node) return;
    if (changed) {
      this.form.elements.title.value = node.title;
      this.form.elements.content.value = node.content;
      this.q("[data-node-error]").textContent = "";
      this.q("[data-comment-error]").textContent = "";
      this.loadComments(id);
    }
    this.refresh();
  }

  // Out of the way (a phone, where it covers the map); the node stays selected.
  hide() { this.panel.classList.remove("is-open"); }

  // The node changed (here, elsewhere or on the canvas): show it, unless the field is
  // being edited here.
  refresh(message) {
    const node = this.id !== null ? this.store.nodes.get(this.id) : null;
    if (!node) { this.show(null); return; }
    if (message && message.type === "node.updated" && message.node === this.id) {
      for (const name of ["title", "content"]) {
        const field = this.form.elements[name];
        if (document.activeElement !== field) field.value = node[name];
      }
    }
    this.q("[data-recommend-count]").textContent = node.recommendations;
    this.q("[data-recommend]").setAttribute("aria-pressed", String(Boolean(node.recommended_by_me)));
    this.q("[data-comment-count]").textContent = node.comment_count;
  }

  async save() {
    const id = this.id;
    const node = this.store.nodes.get(id);
    if (!node) return;
    const change = { type: "node.update", node: id };
    const title = this.form.elements.title.value.trim();
    const content = this.form.elements.content.value;
    if (title !== node.title) change.title = title;
    if (content !== node.content) change.content = content;
    if (!("title" in change) && !("content" in change)) return;
    try {
      const answer = await this.socket.request(change);
      this.q("[data-node-error]").textContent = "";
      this.announce(answer.queued ? this._("Kept here; it is sent once the connection is back.") : this._("Saved."));
    } catch (error) {
      this.q("[data-node-error]").textContent = this.errorText(error);
    }
  }

  async recommend() {
    if (this.id === null) return;
    try { await this.socket.request({ type: "node.recommend", node: this.id }); } catch (error) { this.onError(error); }
  }

  async remove(id = this.id) {
    const node = this.store.nodes.get(id);
    if (!node || !window.confirm(this._("Delete “%s” and its links?").replace("%s", node.title))) return;
    try { await this.socket.request({ type: "node.delete", node: id }); this.announce(this._("Deleted.")); } catch (error) { this.onError(error); }
  }

  // A node made offline got its real id.
  remapped(from, to) {
    if (this.id !== from) return;
    this.id = to;
    for (const li of this.q("[data-comments]").querySelectorAll("[data-queued]")) li.dataset.node = to;
  }

  // After a reconnect: the comments may have changed meanwhile.
  reload() { if (this.id !== null && this.id > 0) this.loadComments(this.id); }

  async comment() {
    const field = this.commentForm.elements.text;
    const text = field.value.trim();
    if (!text || this.id === null) return;
    try {
      await this.socket.request({ type: "comment.create", node: this.id, text });
      field.value = "";
      this.q("[data-comment-error]").textContent = "";
    } catch (error) {
      this.q("[data-comment-error]").textContent = this.errorText(error);
    }
  }

  async loadComments(id) {
    const list = this.q("[data-comments]");
    const queued = [...list.querySelectorAll("[data-queued]")];
    list.replaceChildren(...queued);
    if (!this.apiUrl || id < 0) return;
    const unreachable = () => {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = this._("The comments could not be loaded. They show again once the connection is back.");
      list.prepend(li);
    };
    if (!this.isOnline()) { unreachable(); return; } // reload() fetches them on reconnect
    try {
      const page = await api(`${this.apiUrl}nodes/${id}/comments/?page_size=200`);
      if (this.id === id) for (const comment of page.results) this.addComment(comment);
    } catch {
      if (this.id === id) unreachable();
    }
  }

  // In the page's language and the team's time zone, not the browser's
  // ("2026. 12. 8. 오전 3:05", "Dec 8, 2026, 3:05 AM" for a team in Asia/Seoul).
  when(iso) {
    const lang = document.documentElement.lang || undefined;
    const options = { dateStyle: "medium", timeStyle: "short" };
    try {
      return new Date(iso).toLocaleString(lang, { ...options, timeZone: this.timeZone });
    } catch {
      return new Date(iso).toLocaleString(lang, options); // a zone this browser does not know
    }
  }

  addComment(comment, queued = false) {
    if (comment.node !== this.id) return;
    const list = this.q("[data-comments]");
    if (list.querySelector(`[data-comment="${comment.id}"]`)) return;
    // Our comment written offline has arrived: it replaces its waiting copy.
    const waiting = queued ? null : [...list.querySelectorAll("[data-queued]")].find((li) => li.dataset.text === comment.text);
    waiting?.remove();
    const li = document.createElement("li");
    li.dataset.comment = comment.id;
    if (queued) { li.dataset.queued = ""; li.dataset.text = comment.text; }
    const who = document.createElement("strong");
    who.textContent = comment.author ? comment.author.name : comment.author_name;
    const when = document.createElement("time");
    when.dateTime = comment.created_at;
    when.textContent = this.when(comment.created_at);
    const text = document.createElement("p");
    text.textContent = comment.text;
    li.append(who, " ", when, text);
    if (queued) {
      const wait = document.createElement("p");
      wait.className = "mm-comments__waiting";
      wait.textContent = this._("Waiting to be sent");
      li.append(wait);
    }
    list.append(li);
  }
}
