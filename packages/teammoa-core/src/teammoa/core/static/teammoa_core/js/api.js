// Shared fetch wrapper: JSON in and out, the CSRF token from the cookie, errors as ApiError.

function cookie(name) {
  for (const part of document.cookie ? document.cookie.split(";") : []) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return cookie("csrftoken") || (input ? input.value : "");
}

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body === "object" ? body.detail : null;
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    // Field errors: {field: [messages]} (DRF's shape), without the top-level detail.
    this.fields = body && typeof body === "object" && !Array.isArray(body)
      ? Object.fromEntries(Object.entries(body).filter(([key]) => key !== "detail"))
      : {};
  }
}

// This page's own changes: in flight, and when the last one was answered. News of a change
// this page just made needs no second reading of the page (team_live.js).
let writing = 0;
let lastWrite = 0;
export const wroteRecently = (ms) => writing > 0 || Date.now() - lastWrite < ms;

export async function api(url, { method = "GET", body, headers = {}, signal } = {}) {
  if (method === "GET" || method === "HEAD") return request(url, { method, body, headers, signal });
  writing += 1;
  try {
    return await request(url, { method, body, headers, signal });
  } finally {
    writing -= 1;
    lastWrite = Date.now();
  }
}

async function request(url, { method, body, headers, signal }) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin", signal };
  if (method !== "GET" && method !== "HEAD") init.headers["X-CSRFToken"] = csrfToken();
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text }; }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// gettext falls back to the identity when the JavaScript catalog is not loaded.
export const gettext = (s) => (typeof window.gettext === "function" ? window.gettext(s) : s);
export const ngettext = (singular, plural, count) =>
  typeof window.ngettext === "function" ? window.ngettext(singular, plural, count) : count === 1 ? singular : plural;
export const interpolate = (fmt, obj, named) =>
  typeof window.interpolate === "function" ? window.interpolate(fmt, obj, named) : fmt;

// A polite live region (role=status) of the page, made on first use.
export function liveRegion(id, className, tag = "div") {
  let region = document.getElementById(id);
  if (!region) {
    region = document.createElement(tag);
    region.id = id;
    region.className = className;
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  return region;
}

// Announce a message to screen readers through a shared live region.
export function announce(message) {
  const region = liveRegion("tm-live-region", "visually-hidden");
  region.textContent = "";
  window.setTimeout(() => { region.textContent = message; }, 50);
}
