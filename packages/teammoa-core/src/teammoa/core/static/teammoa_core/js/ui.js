// Small behaviours shared by the core pages. Every one of them only adds to markup that
// already works without JavaScript.
import { ApiError, announce, gettext } from "./api.js";

// Forms with data-confirm ask first (the plain-HTML fallback is a confirmation page or,
// for harmless actions, no question at all).
export function confirmForms(root = document) {
  root.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !event.defaultPrevented && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
}

// Buttons with data-copy="<input id>" copy that input's value; they are hidden until here.
export function copyButtons(root = document) {
  for (const button of root.querySelectorAll("[data-copy]")) {
    const input = document.getElementById(button.dataset.copy);
    if (!input) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        input.select();
        document.execCommand("copy");
      }
      const label = button.textContent;
      button.textContent = gettext("Copied");
      announce(gettext("Copied to the clipboard."));
      window.setTimeout(() => { button.textContent = label; }, 2000);
    });
  }
}

// A milestone form's "Progress (%)" field only matters in manual mode.
export function progressModeToggle(form) {
  const mode = form.querySelector("select[name=progress_mode]");
  const field = form.querySelector(".js-manual-progress");
  if (!mode || !field) return;
  const sync = () => { field.hidden = mode.value !== "manual"; };
  mode.addEventListener("change", sync);
  sync();
}

// GET filter forms submit as soon as a choice changes; their button is then not needed.
export function autosubmit(root = document) {
  for (const form of root.querySelectorAll("form[data-autosubmit]")) {
    const button = form.querySelector("[data-autosubmit-button]");
    if (button) button.hidden = true;
    form.addEventListener("change", () => form.requestSubmit ? form.requestSubmit() : form.submit());
  }
}

// The most useful message of a failed API call, for an announcement or an alert. Once the
// team socket has said the team is gone or the reader is no longer in it (team_live.js),
// every refused write says that instead of the server's bare "Not found.".
export function errorMessage(error) {
  const team = document.documentElement.dataset.teamLive;
  if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
    if (team === "gone") return gettext("This team was disbanded; nothing can be changed here any more.");
    if (team === "forbidden") return gettext("You are no longer a member of this team; nothing can be changed here any more.");
  }
  if (error instanceof ApiError) {
    const first = Object.values(error.fields || {}).flat().find((m) => typeof m === "string");
    if (error.body && typeof error.body.detail === "string") return error.body.detail;
    if (first) return first;
    if (error.status === 403) return gettext("You do not have permission to do this.");
    if (error.status === 404) return gettext("It is no longer there; the page will refresh.");
  }
  return gettext("Something went wrong. Check your connection and try again.");
}

// A failed write, shown where everyone sees it and not only said to screen readers: a note
// at the bottom of the page (role=alert: read out at once) until the next one or 15 s.
let errorTimer = 0;
export function showError(message) {
  let note = document.getElementById("tm-error-note");
  if (!note) {
    note = document.createElement("p");
    note.id = "tm-error-note";
    note.className = "live-note live-note--error";
    note.setAttribute("role", "alert");
    document.body.append(note);
  }
  note.textContent = message;
  window.clearTimeout(errorTimer);
  errorTimer = window.setTimeout(() => { note.textContent = ""; }, 15000);
}

// Show API field errors next to a form's fields (as the server-rendered form would).
export function showFieldErrors(form, fields) {
  clearFieldErrors(form);
  let shown = false;
  for (const [name, messages] of Object.entries(fields || {})) {
    const input = form.elements.namedItem(name);
    if (!input || !input.id || !Array.isArray(messages)) continue;
    const list = document.createElement("ul");
    list.className = "field__errors";
    list.id = `${input.id}_error`;
    list.dataset.clientErrors = "";
    for (const message of messages) {
      const item = document.createElement("li");
      item.textContent = message;
      list.append(item);
    }
    input.after(list);
    input.setAttribute("aria-invalid", "true");
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    input.setAttribute("aria-describedby", [...new Set([...described, list.id])].join(" "));
    if (!shown) input.focus();
    shown = true;
  }
  return shown;
}

export function clearFieldErrors(form) {
  for (const list of form.querySelectorAll("[data-client-errors]")) {
    const input = form.querySelector(`[aria-describedby~="${list.id}"]`);
    if (input) {
      input.removeAttribute("aria-invalid");
      const rest = input.getAttribute("aria-describedby").split(" ").filter((id) => id !== list.id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
    }
    list.remove();
  }
}
