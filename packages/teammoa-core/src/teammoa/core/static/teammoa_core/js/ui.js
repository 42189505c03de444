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

// The most useful message of a failed API call, for an announcement or an alert.
export function errorMessage(error) {
  if (error instanceof ApiError) {
    const first = Object.values(error.fields || {}).flat().find((m) => typeof m === "string");
    if (error.body && typeof error.body.detail === "string") return error.body.detail;
    if (first) return first;
    if (error.status === 403) return gettext("You do not have permission to do this.");
    if (error.status === 404) return gettext("It is no longer there; the page will refresh.");
  }
  return gettext("Something went wrong. Check your connection and try again.");
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
