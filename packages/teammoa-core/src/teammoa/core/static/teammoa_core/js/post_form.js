// Post write/edit: turn the body textarea into a small rich-text editor (the server
// sanitises whatever arrives), and warn about a too-large attachment before uploading.
import { gettext, interpolate } from "./api.js";

// What the editor keeps when it loads HTML; the server's sanitiser is the real gate.
const ALLOWED = new Set([
  "A", "B", "BLOCKQUOTE", "BR", "CODE", "DEL", "EM", "H2", "H3", "H4", "HR", "I", "LI", "OL", "P",
  "PRE", "S", "STRONG", "SUB", "SUP", "TABLE", "TBODY", "TD", "TH", "THEAD", "TR", "U", "UL",
]);

function cleanInto(target, html) {
  // A <template> parses without running scripts or loading anything.
  const template = document.createElement("template");
  template.innerHTML = html;
  const walk = (node) => {
    for (const child of [...node.childNodes]) {
      if (child.nodeType === Node.ELEMENT_NODE) {
        walk(child);
        if (!ALLOWED.has(child.tagName)) {
          child.replaceWith(...child.childNodes);
          continue;
        }
        for (const attr of [...child.attributes]) {
          const keep = child.tagName === "A" && attr.name === "href" && /^(https?:|mailto:)/i.test(attr.value.trim());
          if (!keep) child.removeAttribute(attr.name);
        }
      } else if (child.nodeType !== Node.TEXT_NODE) {
        child.remove();
      }
    }
  };
  walk(template.content);
  target.replaceChildren(template.content);
}

const TOOLS = [
  { label: gettext("Bold"), text: "B", command: "bold", state: true, style: "font-weight:700" },
  { label: gettext("Italic"), text: "I", command: "italic", state: true, style: "font-style:italic" },
  { label: gettext("Strikethrough"), text: "S", command: "strikeThrough", state: true, style: "text-decoration:line-through" },
  { label: gettext("Heading"), text: "H", command: "formatBlock", value: "h3" },
  { label: gettext("Bulleted list"), text: "•", command: "insertUnorderedList", state: true },
  { label: gettext("Numbered list"), text: "1.", command: "insertOrderedList", state: true },
  { label: gettext("Quote"), text: "❝", command: "formatBlock", value: "blockquote" },
  { label: gettext("Code block"), text: "</>", command: "formatBlock", value: "pre" },
  { label: gettext("Link"), text: gettext("Link"), command: "createLink" },
  { label: gettext("Paragraph"), text: "¶", command: "formatBlock", value: "p" },
  { label: gettext("Clear formatting"), text: "⌫", command: "removeFormat" },
];

function enhance(textarea) {
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const wrapper = document.createElement("div");
  wrapper.className = "editor";
  const toolbar = document.createElement("div");
  toolbar.className = "editor__toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", gettext("Formatting"));
  toolbar.setAttribute("aria-controls", `${textarea.id}_editor`);
  const area = document.createElement("div");
  area.className = "editor__area prose";
  area.id = `${textarea.id}_editor`;
  area.contentEditable = "true";
  area.setAttribute("role", "textbox");
  area.setAttribute("aria-multiline", "true");
  if (label) {
    label.id = label.id || `${textarea.id}_label`;
    area.setAttribute("aria-labelledby", label.id);
    // The label now names the editor; clicking it focuses the editor.
    label.addEventListener("click", (event) => { event.preventDefault(); area.focus(); });
  }
  for (const attr of ["aria-describedby", "aria-invalid"]) {
    if (textarea.hasAttribute(attr)) area.setAttribute(attr, textarea.getAttribute(attr));
  }
  area.dataset.placeholder = gettext("Write your post…");
  cleanInto(area, textarea.value);

  const buttons = TOOLS.map((tool, index) => {
    const button = document.createElement("button");
    button.type = "button";
    // The glyph is decoration and the name is the label, as text: an aria-label that does
    // not contain the visible "1." failed WCAG 2.5.3 (label in name) for speech users.
    const glyph = document.createElement("span");
    glyph.setAttribute("aria-hidden", "true");
    glyph.textContent = tool.text;
    const name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = tool.label;
    button.append(glyph, name);
    button.title = tool.label;
    if (tool.style) button.style.cssText = tool.style;
    if (tool.state) button.setAttribute("aria-pressed", "false");
    button.tabIndex = index === 0 ? 0 : -1; // one tab stop; arrows move inside the toolbar
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    button.addEventListener("click", () => {
      restoreSelection();
      if (tool.command === "createLink") {
        const url = window.prompt(gettext("Link address (https://…)"), "https://");
        if (!url || !/^(https?:|mailto:)/i.test(url.trim())) return;
        document.execCommand("createLink", false, url.trim());
      } else {
        keepCaret(() => document.execCommand(tool.command, false, tool.value ?? null));
      }
      syncState();
    });
    toolbar.append(button);
    return { tool, button };
  });

  toolbar.addEventListener("keydown", (event) => {
    const list = buttons.map((b) => b.button);
    const index = list.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (event.key === "ArrowRight") next = (index + 1) % list.length;
    else if (event.key === "ArrowLeft") next = (index - 1 + list.length) % list.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = list.length - 1;
    if (next === null) return;
    event.preventDefault();
    list[index].tabIndex = -1;
    list[next].tabIndex = 0;
    list[next].focus();
  });

  function syncState() {
    for (const { tool, button } of buttons) {
      if (!tool.state) continue;
      let on = false;
      try { on = document.queryCommandState(tool.command); } catch { on = false; }
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }
  // The caret as it was in the editor, so a toolbar button acts where the writer was.
  let saved = null;
  function restoreSelection() {
    area.focus();
    const selection = window.getSelection();
    if (saved && area.contains(saved.startContainer)) {
      selection.removeAllRanges();
      selection.addRange(saved);
    }
  }
  document.addEventListener("selectionchange", () => {
    const selection = window.getSelection();
    if (selection.rangeCount && area.contains(selection.anchorNode)) saved = selection.getRangeAt(0).cloneRange();
    if (document.activeElement === area) syncState();
  });
  // Block commands (lists, headings) leave Chrome's caret at the start of the block; put
  // it back where the writer was typing. Only a caret after some text of its block needs
  // it: at the start of a block (an empty new line, say) Chrome's caret is already right,
  // and counting characters there cannot tell the end of the line above from the start of
  // this one, which put the list's text on the previous line.
  function keepCaret(run) {
    const selection = window.getSelection();
    if (
      !selection.rangeCount || !selection.isCollapsed || !area.contains(selection.anchorNode)
      || selection.anchorNode.nodeType !== Node.TEXT_NODE || selection.anchorOffset === 0
    ) {
      run();
      return;
    }
    const before = document.createRange();
    before.selectNodeContents(area);
    before.setEnd(selection.anchorNode, selection.anchorOffset);
    let chars = before.toString().length; // the caret as a count of characters
    run();
    const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (chars <= node.length) {
        selection.collapse(node, chars);
        return;
      }
      chars -= node.length;
    }
  }

  try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch { /* older browsers */ }
  wrapper.append(toolbar, area);
  textarea.hidden = true;
  textarea.removeAttribute("required");
  textarea.after(wrapper);
  textarea.form.addEventListener("submit", () => {
    // Chrome's list command on an empty line nests the list in that line's paragraph
    // (<p><ol>…</ol></p>, which HTML parsers split into an empty paragraph, the list and
    // another empty paragraph): lift such blocks out, then drop the lines nobody wrote.
    for (const p of [...area.querySelectorAll("p")]) {
      if (p.querySelector(":scope > :is(ol, ul, h2, h3, h4, blockquote, pre, table, hr, p)")) {
        p.replaceWith(...p.childNodes);
      }
    }
    for (const block of [...area.querySelectorAll("p, h2, h3, h4, blockquote, pre")]) {
      if (!block.textContent.trim() && !block.querySelector("hr, table")) block.remove();
    }
    textarea.value = (area.textContent.trim() || area.querySelector("hr, table")) ? area.innerHTML : "";
  });
}

function checkFileSize(input) {
  const limit = Number(input.dataset.maxBytes || 0);
  if (!limit) return;
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (file && file.size > limit) {
      const mb = (n) => (n / (1024 * 1024)).toFixed(1);
      input.setCustomValidity(interpolate(
        gettext("The file is %(size)s MB; the limit is %(limit)s MB."),
        { size: mb(file.size), limit: mb(limit) },
        true,
      ));
      input.reportValidity();
    } else {
      input.setCustomValidity("");
    }
  });
}

for (const textarea of document.querySelectorAll("textarea[data-rich-editor]")) enhance(textarea);
for (const input of document.querySelectorAll("input[type=file][data-max-bytes]")) checkFileSize(input);
