// The language switcher applies a choice made with the mouse at once. By keyboard the
// arrow keys only move through the languages (WCAG 3.2.2): Enter, or the "Change" button
// that then shows, applies the one chosen, and after the page comes back in that language
// the switcher has the focus again. Without JavaScript the form keeps its button, so the
// switcher still works by keyboard (Tab, arrows, Enter).
const REFOCUS = "teammoa.language.refocus";

function remember() {
  try { window.sessionStorage.setItem(REFOCUS, "1"); } catch { /* storage off: no refocus */ }
}

function refocusWanted() {
  try {
    const wanted = window.sessionStorage.getItem(REFOCUS) === "1";
    window.sessionStorage.removeItem(REFOCUS);
    return wanted;
  } catch {
    return false;
  }
}

const refocus = refocusWanted();
for (const form of document.querySelectorAll("form.language-switcher")) {
  const select = form.querySelector("select");
  const button = form.querySelector("button[type=submit]");
  if (!select || !button) continue;
  const chosen = select.value;
  let keyboard = false;
  button.hidden = true;
  form.addEventListener("pointerdown", () => { keyboard = false; });
  form.addEventListener("keydown", (event) => {
    keyboard = true;
    if (event.key === "Enter" && event.target === select) {
      event.preventDefault();
      if (select.value !== chosen) form.requestSubmit();
    }
  });
  select.addEventListener("change", () => {
    if (select.value === chosen) {
      if (document.activeElement !== button) button.hidden = true;
    } else if (keyboard) {
      button.hidden = false; // arrows only look; Enter or the button applies
    } else {
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", () => { if (keyboard) remember(); });
  if (refocus) select.focus();
}
