// The outline view: the same mindmap as a live tree (WAI-ARIA tree pattern) that the
// keyboard and screen readers can walk and edit. It re-renders on every change and keeps
// the focused node focused.
import { childSpot } from "./store.js";

const ngettext = (one, many, count) =>
  typeof window.ngettext === "function" ? window.ngettext(one, many, count) : count === 1 ? one : many;

// The messages stay literal ngettext(…) calls at the call site so makemessages finds them.
function plural(message, count) {
  return message.replace("%s", count);
}

export class Outline {
  constructor(root, store, socket, { onSelect, onError, gettext, announce, canvas }) {
    this.tree = root.querySelector("[data-tree]");
    this.store = store;
    this.socket = socket;
    this.onSelect = onSelect;
    this.onError = onError;
    this._ = gettext;
    this.announce = announce;
    this.canvas = canvas;
    this.collapsed = new Set();
    this.active = null; // the node id with tabindex=0
    this.editing = null;
    this.tree.addEventListener("keydown", (event) => this.key(event));
    this.tree.addEventListener("click", (event) => {
      const item = event.target.closest("[role=treeitem]");
      if (item) this.focus(Number(item.dataset.id));
    });
  }

  render() {
    if (this.editing !== null) return; // don't pull the input away while someone types
    const hadFocus = this.tree.contains(document.activeElement);
    this.tree.replaceChildren();
    const roots = this.store.tree();
    this.order = [];
    const build = (branch, parent, level, position, size) => {
      const node = this.store.nodes.get(branch.id);
      const li = document.createElement("li");
      li.setAttribute("role", "treeitem");
      li.dataset.id = branch.id;
      li.setAttribute("aria-level", level);
      li.setAttribute("aria-posinset", position);
      li.setAttribute("aria-setsize", size);
      li.tabIndex = -1;
      const label = document.createElement("span");
      label.className = "mm-tree__label";
      label.textContent = node.title;
      li.append(label);
      const extras = [];
      if (node.recommendations) extras.push(plural(ngettext("%s recommendation", "%s recommendations", node.recommendations), node.recommendations));
      if (node.comment_count) extras.push(plural(ngettext("%s comment", "%s comments", node.comment_count), node.comment_count));
      if (node.content) extras.push(this._("has notes"));
      if (extras.length) {
        const meta = document.createElement("span");
        meta.className = "mm-tree__meta";
        meta.textContent = ` (${extras.join(", ")})`;
        li.append(meta);
      }
      parent.append(li);
      this.order.push(branch.id);
      if (branch.children.length) {
        const open = !this.collapsed.has(branch.id);
        li.setAttribute("aria-expanded", String(open));
        const group = document.createElement("ul");
        group.setAttribute("role", "group");
        li.append(group);
        if (open) branch.children.forEach((child, i) => build(child, group, level + 1, i + 1, branch.children.length));
      }
    };
    roots.forEach((root, i) => build(root, this.tree, 1, i + 1, roots.length));
    if (!this.store.nodes.has(this.active)) this.active = this.order[0] ?? null;
    const current = this.item(this.active);
    if (current) {
      current.tabIndex = 0;
      current.setAttribute("aria-selected", "true");
      if (hadFocus) current.focus();
    }
    if (!this.order.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = this._("No nodes yet: press Insert to add one.");
      empty.tabIndex = 0;
      this.tree.append(empty);
    }
  }

  item(id) { return id == null ? null : this.tree.querySelector(`[role=treeitem][data-id="${id}"]`); }

  focus(id) {
    const previous = this.item(this.active);
    if (previous) { previous.tabIndex = -1; previous.removeAttribute("aria-selected"); }
    this.active = id;
    const item = this.item(id);
    if (item) {
      item.tabIndex = 0;
      item.setAttribute("aria-selected", "true");
      item.focus();
    }
    this.onSelect(id);
  }

  parentOf(id) {
    const item = this.item(id);
    const parent = item && item.parentElement.closest("[role=treeitem]");
    return parent ? Number(parent.dataset.id) : null;
  }

  visible() {
    return [...this.tree.querySelectorAll("[role=treeitem]")].map((li) => Number(li.dataset.id));
  }

  key(event) {
    if (this.editing !== null) return;
    const ids = this.visible();
    const id = this.active;
    const index = ids.indexOf(id);
    const item = this.item(id);
    const expandable = item && item.hasAttribute("aria-expanded");
    const open = item && item.getAttribute("aria-expanded") === "true";
    switch (event.key) {
      case "ArrowDown": if (index < ids.length - 1) this.focus(ids[index + 1]); break;
      case "ArrowUp": if (index > 0) this.focus(ids[index - 1]); break;
      case "Home": if (ids.length) this.focus(ids[0]); break;
      case "End": if (ids.length) this.focus(ids[ids.length - 1]); break;
      case "ArrowRight":
        if (expandable && !open) { this.collapsed.delete(id); this.render(); this.item(id)?.focus(); }
        else if (open) this.focus(ids[index + 1]);
        break;
      case "ArrowLeft":
        if (open) { this.collapsed.add(id); this.render(); this.item(id)?.focus(); }
        else if (this.parentOf(id) !== null) this.focus(this.parentOf(id));
        break;
      case "Enter": case "F2": if (id !== null) this.rename(id); break;
      case "Insert": case "a": this.addChild(id); break;
      case "Delete": if (id !== null) this.remove(id); break;
      default: return;
    }
    event.preventDefault();
  }

  rename(id) {
    const item = this.item(id);
    const node = this.store.nodes.get(id);
    if (!item || !node) return;
    this.editing = id;
    const input = document.createElement("input");
    input.type = "text";
    input.value = node.title;
    input.maxLength = 64;
    input.setAttribute("aria-label", this._("Title"));
    const label = item.querySelector(".mm-tree__label");
    label.replaceWith(input);
    input.focus();
    input.select();
    const finish = async (save) => {
      if (this.editing === null) return;
      this.editing = null;
      const title = input.value.trim();
      if (save && title && title !== node.title) {
        try {
          await this.socket.request({ type: "node.update", node: id, title });
          this.announce(this._("Renamed."));
        } catch (error) { this.onError(error); }
      }
      this.render();
      this.item(id)?.focus();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); finish(true); }
      if (event.key === "Escape") { event.preventDefault(); finish(false); }
      event.stopPropagation();
    });
    input.addEventListener("blur", () => finish(true));
  }

  async addChild(parentId) {
    const parent = parentId !== null ? this.store.nodes.get(parentId) : null;
    const at = parent
      ? childSpot(this.store.nodes.values(), parent, this.canvas.size, this._("New idea"))
      : this.canvas.center();
    try {
      const created = await this.socket.request({ type: "node.create", title: this._("New idea"), x: at.x, y: at.y });
      if (parent && created.node) {
        await this.socket.request({ type: "connection.create", source: parentId, target: created.node.id });
      }
      if (created.node) {
        this.collapsed.delete(parentId);
        this.active = created.node.id;
        this.onSelect(created.node.id);
        this.render();
        this.rename(created.node.id);
      }
    } catch (error) { this.onError(error); }
  }

  // A node made offline got its real id.
  remapped(from, to) {
    if (this.active === from) this.active = to;
    if (this.editing === from) this.editing = to;
  }

  async remove(id) {
    const node = this.store.nodes.get(id);
    if (!node || !window.confirm(this._("Delete “%s” and its links?").replace("%s", node.title))) return;
    const ids = this.visible();
    const next = ids[ids.indexOf(id) + 1] ?? ids[ids.indexOf(id) - 1] ?? null;
    try {
      await this.socket.request({ type: "node.delete", node: id });
      this.announce(this._("Deleted."));
      this.focus(next);
    } catch (error) { this.onError(error); }
  }
}
