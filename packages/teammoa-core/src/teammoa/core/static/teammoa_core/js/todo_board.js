// Todo board: drag cards between and within columns, the cards' menus and the add form
// through the API, column counts kept live, and every result announced.
//
// Without the API (or without JavaScript) the same menus and forms post to the page
// views. After each change the board is re-read from the server, so the positions, the
// menus and what each card allows always come from the services.
import { api, announce, gettext, interpolate } from "./api.js";
import { liveTeam, readThisPage } from "./team_live.js";
import { autosubmit, clearFieldErrors, errorMessage, showError, showFieldErrors } from "./ui.js";

const UNASSIGNED = "none"; // views.work.UNASSIGNED
const DRAG_THRESHOLD = 6;
const EDGE = 48; // px from a viewport or board edge where a drag scrolls

autosubmit();

const board = document.querySelector("[data-todo-board]");
const apiUrl = board ? board.dataset.apiUrl : "";
// Callers wrap each message in gettext() themselves, so makemessages finds every one.
const say = (format, values) => interpolate(format, values, true);

function columnsRoot() { return board.querySelector("[data-board-columns]"); }
const cardsOf = (list) => [...list.children].filter((el) => el.classList.contains("todo-card"));
const columnLabel = (column) => column.dataset.label;

function updateCounts() {
  for (const column of board.querySelectorAll("[data-column]")) {
    const list = column.querySelector("[data-list]");
    const count = list.querySelectorAll(":scope > .todo-card, :scope > .todo-placeholder").length;
    column.querySelector("[data-count]").textContent = count;
    column.querySelector("[data-empty]").hidden = count > 0;
  }
}

function setBusy(busy) {
  board.classList.toggle("is-busy", busy);
  board.setAttribute("aria-busy", busy ? "true" : "false");
}

// Re-read the board from the server; keep focus on the card the visitor was acting on.
async function fetchColumns() {
  const { page } = await readThisPage();
  return page ? page.querySelector("[data-board-columns]") : null;
}

function showColumns(fresh) {
  columnsRoot().replaceWith(document.importNode(fresh, true));
  updateCounts();
}

async function refresh(focusId = null) {
  const fresh = await fetchColumns();
  if (!fresh) {
    window.location.reload();
    return;
  }
  columnsRoot().replaceWith(document.importNode(fresh, true));
  updateCounts();
  if (focusId !== null) {
    const card = board.querySelector(`[data-todo="${CSS.escape(String(focusId))}"]`);
    if (card) card.focus();
  }
}

function todoUrl(id, action = "") {
  return `${apiUrl}todos/${id}/${action ? `${action}/` : ""}`;
}

// --- the cards' menus ------------------------------------------------------------------

async function runMenuAction(form) {
  const card = form.closest("[data-todo]");
  const id = card.dataset.todo;
  const todo = card.dataset.content;
  const data = new FormData(form);
  const action = form.dataset.todoAction;
  let message;
  if (action === "assign") {
    const raw = String(data.get("member") || "");
    if (!raw) return;
    const member = raw === UNASSIGNED ? null : Number(raw);
    await api(todoUrl(id, "assign"), { method: "POST", body: { member } });
    const column = member === null
      ? board.querySelector('[data-column="unassigned"]')
      : board.querySelector(`[data-column="member"][data-member="${member}"]`);
    message = say(gettext("“%(todo)s” moved to %(column)s."), { todo, column: column ? columnLabel(column) : "" });
  } else if (action === "complete") {
    const done = data.get("is_completed") === "true";
    await api(todoUrl(id, "complete"), { method: "POST", body: { is_completed: done } });
    message = done ? say(gettext("“%(todo)s” is done."), { todo }) : say(gettext("“%(todo)s” is open again."), { todo });
  } else if (action === "edit") {
    const body = { content: String(data.get("content") || "").trim() };
    if (data.has("description")) body.description = String(data.get("description"));
    if (data.has("due_date")) body.due_date = String(data.get("due_date")) || null;
    const saved = await api(todoUrl(id), { method: "PATCH", body });
    message = say(gettext("“%(todo)s” saved."), { todo: saved.content });
  } else if (action === "move") {
    const order = Number(data.get("order"));
    await api(todoUrl(id), { method: "PATCH", body: { order } });
    message = say(gettext("“%(todo)s” moved to position %(position)s."), { todo, position: order + 1 });
  } else if (action === "delete") {
    await api(todoUrl(id), { method: "DELETE" });
    message = say(gettext("“%(todo)s” deleted."), { todo });
  }
  const column = card.closest("[data-column]");
  await refresh(action === "delete" ? null : id);
  if (action === "delete" && column) {
    const same = board.querySelector(`[data-column="${column.dataset.column}"][data-member="${column.dataset.member}"] .todo-card`);
    (same || document.getElementById("todo_content"))?.focus();
  }
  announce(message);
}

// --- the add form ----------------------------------------------------------------------

async function addTodo(form) {
  const data = new FormData(form);
  const milestone = data.get("milestone");
  clearFieldErrors(form);
  const body = { content: String(data.get("content") || "").trim(), milestone: milestone ? Number(milestone) : null };
  if (String(data.get("description") || "").trim()) body.description = String(data.get("description"));
  if (data.get("due_date")) body.due_date = String(data.get("due_date"));
  const todo = await api(`${apiUrl}todos/`, { method: "POST", body });
  for (const name of ["content", "description", "due_date"]) {
    const field = form.elements.namedItem(name);
    if (field) field.value = "";
  }
  await refresh();
  form.elements.namedItem("content").focus();
  announce(say(gettext("“%(todo)s” added to Unassigned."), { todo: todo.content }));
}

// --- drag and drop (pointer events: mouse, pen and touch via the grip) -----------------

let drag = null;
let inFlight = false;

function onPointerDown(event) {
  if (inFlight || event.button !== 0) return;
  const card = event.target.closest(".todo-card[data-draggable]");
  if (!card || !board.contains(card)) return;
  const onGrip = Boolean(event.target.closest("[data-grip]"));
  // Touch drags start on the grip only, so the page still scrolls under a finger.
  if (!onGrip && (event.pointerType !== "mouse" || event.target.closest("button, a, input, select, textarea, label, details"))) return;
  drag = { card, pointerId: event.pointerId, x: event.clientX, y: event.clientY, started: false };
  event.preventDefault(); // no text selection or native drag while the card moves
}

function beginDrag() {
  const { card } = drag;
  const rect = card.getBoundingClientRect();
  const placeholder = document.createElement("li");
  placeholder.className = "todo-placeholder";
  placeholder.style.height = `${rect.height}px`;
  placeholder.setAttribute("aria-hidden", "true");
  drag.from = { column: card.closest("[data-column]"), next: card.nextElementSibling };
  drag.placeholder = placeholder;
  drag.offsetX = drag.x - rect.left;
  drag.offsetY = drag.y - rect.top;
  card.replaceWith(placeholder);
  card.style.width = `${rect.width}px`;
  card.classList.add("is-dragging");
  document.body.append(card);
  document.body.classList.add("is-dragging");
  drag.started = true;
  updateCounts();
}

function autoscroll(x, y) {
  if (y < EDGE) window.scrollBy(0, -12);
  else if (y > window.innerHeight - EDGE) window.scrollBy(0, 12);
  const columns = columnsRoot();
  const rect = columns.getBoundingClientRect();
  if (x < rect.left + EDGE) columns.scrollLeft -= 12;
  else if (x > rect.right - EDGE) columns.scrollLeft += 12;
}

function onPointerMove(event) {
  if (!drag || event.pointerId !== drag.pointerId) return;
  if (!drag.started) {
    if (Math.hypot(event.clientX - drag.x, event.clientY - drag.y) < DRAG_THRESHOLD) return;
    beginDrag();
  }
  event.preventDefault();
  const { card, placeholder } = drag;
  card.style.left = `${event.clientX - drag.offsetX}px`;
  card.style.top = `${event.clientY - drag.offsetY}px`;
  autoscroll(event.clientX, event.clientY);
  const under = document.elementFromPoint(event.clientX, event.clientY);
  const column = under ? under.closest("[data-column]") : null;
  if (!column || !board.contains(column)) return;
  const list = column.querySelector("[data-list]");
  const before = cardsOf(list).find((el) => {
    const r = el.getBoundingClientRect();
    return event.clientY < r.top + r.height / 2;
  });
  if (placeholder.parentElement !== list || placeholder.nextElementSibling !== (before || null)) {
    list.insertBefore(placeholder, before || null);
    for (const el of board.querySelectorAll(".is-drop-target")) el.classList.remove("is-drop-target");
    column.classList.add("is-drop-target");
    updateCounts();
  }
}

function endDrag(current) {
  const { card, placeholder } = current;
  card.classList.remove("is-dragging");
  card.style.removeProperty("width");
  card.style.removeProperty("left");
  card.style.removeProperty("top");
  document.body.classList.remove("is-dragging");
  for (const el of board.querySelectorAll(".is-drop-target")) el.classList.remove("is-drop-target");
  placeholder.replaceWith(card);
  updateCounts();
}

function cancelDrag() {
  if (!drag) return;
  if (drag.started) {
    const { from, placeholder } = drag;
    const list = from.column.querySelector("[data-list]");
    list.insertBefore(placeholder, from.next && from.next.parentElement === list ? from.next : null);
    endDrag(drag);
    announce(gettext("Move cancelled."));
  }
  drag = null;
}

// The one move request (POST todos/{id}/move/) that turns a drop into the board the
// visitor sees, or null when the card went back where it was. The server applies it in
// one transaction, so a refused part leaves nothing half-moved.
function planDrop(card, from, to, next) {
  const position = Number(card.dataset.position);
  if (from === to) {
    let target = position;
    if (next) {
      const p = Number(next.dataset.position);
      target = p > position ? p - 1 : p;
    } else {
      const last = cardsOf(to.querySelector("[data-list]")).filter((el) => el !== card).at(-1);
      if (last) {
        const p = Number(last.dataset.position);
        target = p > position ? p : p + 1;
      }
    }
    return target !== position ? { order: target } : null;
  }
  const body = {};
  if (to.dataset.column === "done") {
    body.is_completed = true;
  } else {
    if (from.dataset.column === "done") body.is_completed = false;
    body.assignee = to.dataset.column === "member" ? Number(to.dataset.member) : null;
  }
  // Without an order a todo that changes column goes to its end.
  if (next) body.order = Number(next.dataset.position);
  return body;
}

async function onPointerUp(event) {
  if (!drag || event.pointerId !== drag.pointerId) return;
  const current = drag;
  drag = null;
  if (!current.started) return;
  const to = current.placeholder.closest("[data-column]");
  let next = current.placeholder.nextElementSibling;
  while (next && !next.classList.contains("todo-card")) next = next.nextElementSibling;
  endDrag(current);
  const { card, from } = current;
  const move = planDrop(card, from.column, to, next);
  if (!move) return;
  const list = cardsOf(to.querySelector("[data-list]"));
  const todo = card.dataset.content;
  inFlight = true;
  setBusy(true);
  try {
    await api(todoUrl(card.dataset.todo, "move"), { method: "POST", body: move });
    await refresh();
    announce(say(gettext("“%(todo)s” moved to %(column)s, position %(position)s of %(count)s."), {
      todo, column: columnLabel(to), position: list.indexOf(card) + 1, count: list.length,
    }));
  } catch (error) {
    showError(say(gettext("Could not move “%(todo)s”: %(reason)s"), { todo, reason: errorMessage(error) }));
    await refresh().catch(() => window.location.reload());
  } finally {
    inFlight = false;
    setBusy(false);
  }
}

// --- teammates' changes, live (team_live.js) -----------------------------------------------

const LIVE_TYPES = new Set(["todo.changed", "todo.deleted", "milestone.changed", "member.joined", "member.left"]);
let liveNext = null;
const FOCUSABLE = "summary, button, input:not([type=hidden]), select, textarea, a[href]";

const idle = () => !inFlight && !(drag && drag.started);

async function untilIdle() {
  for (let waited = 0; !idle() && waited < 60000; waited += 100) {
    await new Promise((resolve) => { window.setTimeout(resolve, 100); });
  }
}

// What the viewer has open or typed on the board and not sent: open menus, changed fields,
// the focused control. Carried over to the fresh board by id.
function keepState() {
  const root = columnsRoot();
  const focused = root.contains(document.activeElement) ? document.activeElement : null;
  const card = focused && focused.closest("[data-todo]");
  // A control without an id: found again as the n-th focusable control of its card.
  const active = focused && (focused.id || (card && [card.dataset.todo,
    [...card.querySelectorAll(FOCUSABLE)].indexOf(focused)]));
  const open = [...root.querySelectorAll("details[open]")].map((d) => d.closest("[data-todo]")?.dataset.todo);
  const typed = [];
  for (const field of root.querySelectorAll("input[id], select[id], textarea[id]")) {
    const changed = field.tagName === "SELECT"
      ? [...field.options].some((o) => o.selected !== o.defaultSelected)
      : field.value !== field.defaultValue;
    if (changed) typed.push([field.id, field.value]);
  }
  return { active, open, typed };
}

function restoreState({ active, open, typed }) {
  const root = columnsRoot();
  for (const id of open) {
    const details = id && root.querySelector(`[data-todo="${CSS.escape(id)}"] details`);
    if (details) details.open = true;
  }
  for (const [id, value] of typed) {
    const field = document.getElementById(id);
    if (field && root.contains(field)) field.value = value;
  }
  let target = typeof active === "string" ? document.getElementById(active) : null;
  if (Array.isArray(active)) {
    const card = root.querySelector(`[data-todo="${CSS.escape(active[0])}"]`);
    target = card && (card.querySelectorAll(FOCUSABLE)[active[1]] || card);
  }
  if (target && root.contains(target)) target.focus({ preventScroll: true });
}

// One refresh for a burst of news, after the viewer's own drag or request is done.
function liveRefresh() {
  if (!liveNext) {
    liveNext = new Promise((resolve) => { window.setTimeout(resolve, 80); }).then(async () => {
      liveNext = null;
      for (;;) {
        await untilIdle();
        const fresh = await fetchColumns();
        if (!fresh) return; // the socket's close says why (no longer a member, team gone)
        if (!idle()) continue; // a drag began meanwhile: read again once it is done
        // Read what the viewer has open or typed only now: nothing typed meanwhile is lost.
        const state = keepState();
        showColumns(fresh);
        restoreState(state);
        return;
      }
    });
  }
  return liveNext;
}

function describeLive(event) {
  if (event.type !== "todo.changed") return undefined;
  const card = board.querySelector(`[data-todo="${CSS.escape(String(event.todo))}"]`);
  if (!card) return undefined;
  const values = {
    name: event.name || gettext("A teammate"),
    todo: card.dataset.content,
    column: columnLabel(card.closest("[data-column]")),
  };
  return say(gettext("%(name)s changed “%(todo)s” (now in %(column)s)."), values);
}

// --- menus float over the board (a narrow column does not squeeze them) -------------------

function placeMenu(menu) {
  const panel = menu.querySelector(".menu__panel");
  const toggle = menu.querySelector("summary");
  if (!panel || !toggle) return;
  menu.classList.add("menu--floating");
  // Below the toggle where it fits, else above it, else as high as the screen allows
  // (the panel scrolls inside when the screen is shorter than the panel).
  const room = window.innerHeight - 16;
  panel.style.maxHeight = `${room}px`;
  const anchor = toggle.getBoundingClientRect();
  const width = Math.min(panel.offsetWidth || 288, window.innerWidth - 16);
  const height = Math.min(panel.offsetHeight, room);
  const left = Math.max(8, Math.min(anchor.right - width, window.innerWidth - width - 8));
  let top = anchor.bottom + 4;
  if (top + height > window.innerHeight - 8) {
    top = anchor.top - height - 4 >= 8 ? anchor.top - height - 4 : Math.max(8, window.innerHeight - 8 - height);
  }
  panel.style.left = `${left}px`;
  panel.style.top = `${top}px`;
}

function closeMenus(except = null) {
  for (const menu of board.querySelectorAll("details.menu[open]")) {
    if (menu !== except) menu.open = false;
  }
}

function floatingMenus() {
  board.addEventListener("toggle", (event) => {
    const menu = event.target;
    if (!(menu instanceof HTMLDetailsElement) || !menu.classList.contains("menu")) return;
    if (menu.open) {
      closeMenus(menu);
      placeMenu(menu);
    }
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menu = board.querySelector("details.menu[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("pointerdown", (event) => {
    if (!event.target.closest("details.menu")) closeMenus();
  });
  const replace = () => { for (const menu of board.querySelectorAll("details.menu[open]")) placeMenu(menu); };
  window.addEventListener("resize", replace);
  window.addEventListener("scroll", replace, true);
}

if (board && apiUrl) {
  floatingMenus();
  const help = document.querySelector("[data-board-help]");
  if (help) help.hidden = false;

  board.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-todo-action]");
    if (!form) return;
    event.preventDefault();
    if (inFlight) return;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    inFlight = true;
    setBusy(true);
    try {
      await runMenuAction(form);
    } catch (error) {
      showError(errorMessage(error));
      await refresh(form.closest("[data-todo]")?.dataset.todo ?? null).catch(() => {});
    } finally {
      inFlight = false;
      setBusy(false);
    }
  });

  const addForm = document.querySelector("[data-todo-add]");
  if (addForm) {
    addForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (inFlight) return;
      inFlight = true;
      try {
        await addTodo(addForm);
      } catch (error) {
        if (!(error.status === 400 && showFieldErrors(addForm, error.fields))) showError(errorMessage(error));
      } finally {
        inFlight = false;
      }
    });
  }

  liveTeam({
    onEvent: (event) => (LIVE_TYPES.has(event.type) ? liveRefresh() : null),
    onResync: liveRefresh,
    describe: describeLive,
  });

  board.addEventListener("pointerdown", onPointerDown);
  document.addEventListener("pointermove", onPointerMove, { passive: false });
  document.addEventListener("pointerup", onPointerUp);
  document.addEventListener("pointercancel", cancelDrag);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") cancelDrag(); });
} else if (board) {
  // Plain forms: still ask before deleting.
  board.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
