// The language switcher applies a choice as soon as it is made. Without JavaScript the
// form keeps its button, so the switcher still works by keyboard (Tab, arrows, Enter).
for (const form of document.querySelectorAll("form.language-switcher")) {
  const select = form.querySelector("select");
  const button = form.querySelector("button[type=submit]");
  if (!select || !button) continue;
  const chosen = select.value;
  button.hidden = true;
  select.addEventListener("change", () => {
    if (select.value !== chosen) form.requestSubmit();
  });
}
