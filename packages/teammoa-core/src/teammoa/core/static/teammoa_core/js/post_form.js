// Post write/edit: the body textarea becomes a ProseMirror editor (Tiptap, as shipped by
// django-prose-editor), with a toolbar of our own so every button has a translated name
// and the keyboard moves through it; the attachments field takes dropped files.
//
// The editor only shapes what arrives: the server sanitises every body with nh3.
import {
  Blockquote, Bold, BulletList, Code, CodeBlock, Document, Dropcursor, Editor, Gapcursor,
  HardBreak, Heading, History, HorizontalRule, Italic, Link, ListItem, OrderedList, Paragraph,
  Placeholder, Strike, Subscript, Superscript, Table, TableCell, TableHeader, TableRow, Text,
  Underline,
} from "../../django_prose_editor/editor.js";
import { gettext, interpolate } from "./api.js";

// The link schemes the server keeps (teammoa.core.sanitize.URL_SCHEMES).
const SAFE_URL = /^(https?:\/\/|mailto:)/i;

const TOOLS = [
  { name: "bold", label: gettext("Bold"), text: "B", run: (c) => c.toggleBold(), active: ["bold"] },
  { name: "italic", label: gettext("Italic"), text: "I", run: (c) => c.toggleItalic(), active: ["italic"] },
  { name: "strike", label: gettext("Strikethrough"), text: "S", run: (c) => c.toggleStrike(), active: ["strike"] },
  { name: "heading", label: gettext("Heading"), text: "H", run: (c) => c.toggleHeading({ level: 3 }), active: ["heading", { level: 3 }] },
  { name: "bullets", label: gettext("Bulleted list"), text: "•", run: (c) => c.toggleBulletList(), active: ["bulletList"] },
  { name: "numbers", label: gettext("Numbered list"), text: "1.", run: (c) => c.toggleOrderedList(), active: ["orderedList"] },
  { name: "quote", label: gettext("Quote"), text: "❝", run: (c) => c.toggleBlockquote(), active: ["blockquote"] },
  { name: "code", label: gettext("Code block"), text: "</>", run: (c) => c.toggleCodeBlock(), active: ["codeBlock"] },
  { name: "link", label: gettext("Link"), text: gettext("Link"), active: ["link"] },
  { name: "undo", label: gettext("Undo"), text: "↶", run: (c) => c.undo() },
  { name: "redo", label: gettext("Redo"), text: "↷", run: (c) => c.redo() },
];

function extensions(placeholder) {
  return [
    Document, Paragraph, Text, HardBreak, Bold, Italic, Strike, Underline, Subscript,
    Superscript, Code, CodeBlock, Blockquote, HorizontalRule, BulletList, OrderedList, ListItem,
    // Level 3 from the toolbar; 2 and 4 so older posts keep their headings when edited.
    Heading.configure({ levels: [2, 3, 4] }),
    Link.configure({
      openOnClick: false,
      autolink: true,
      protocols: ["http", "https", "mailto"],
      isAllowedUri: (url) => SAFE_URL.test(String(url).trim()),
      HTMLAttributes: { rel: "noopener noreferrer nofollow", target: null },
    }),
    // Tables only so that posts written before keep theirs when edited.
    Table, TableRow, TableHeader, TableCell,
    History, Dropcursor, Gapcursor,
    Placeholder.configure({ placeholder }),
  ];
}

function button(tool) {
  const element = document.createElement("button");
  element.type = "button";
  element.dataset.tool = tool.name;
  // The glyph is decoration and the name is the text: an aria-label without the visible
  // "1." would fail WCAG 2.5.3 (label in name) for speech users.
  const glyph = document.createElement("span");
  glyph.setAttribute("aria-hidden", "true");
  glyph.textContent = tool.text;
  const name = document.createElement("span");
  name.className = "visually-hidden";
  name.textContent = tool.label;
  element.append(glyph, name);
  element.title = tool.label;
  if (tool.active) element.setAttribute("aria-pressed", "false");
  element.tabIndex = -1;
  // Keep the editor's selection: the toolbar acts where the writer was typing.
  element.addEventListener("mousedown", (event) => event.preventDefault());
  return element;
}

// The link row: one field for the address, shown under the toolbar when "Link" is pressed.
function linkRow(editor, id) {
  const row = document.createElement("div");
  row.className = "editor__link";
  row.hidden = true;
  const label = document.createElement("label");
  label.htmlFor = `${id}_link`;
  label.textContent = gettext("Link address");
  const input = document.createElement("input");
  input.type = "url";
  input.id = `${id}_link`;
  input.placeholder = "https://";
  input.autocomplete = "off";
  const apply = document.createElement("button");
  apply.type = "button";
  apply.className = "button button--small";
  apply.textContent = gettext("Apply");
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "button button--small button--ghost";
  remove.textContent = gettext("Remove link");
  const error = document.createElement("span");
  error.className = "field__error";
  error.id = `${id}_link_error`;
  error.setAttribute("role", "alert");
  row.append(label, input, apply, remove, error);

  const close = () => {
    row.hidden = true;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    editor.commands.focus();
  };
  const save = () => {
    const url = input.value.trim();
    if (!url) {
      editor.chain().focus().extendMarkRange("link").unsetLink().run();
      close();
      return;
    }
    if (!SAFE_URL.test(url)) {
      error.textContent = gettext("Use an address that starts with https://, http:// or mailto:.");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", error.id);
      input.focus();
      return;
    }
    const chain = editor.chain().focus().extendMarkRange("link");
    if (editor.state.selection.empty && !editor.isActive("link")) {
      // Nothing selected: the address itself becomes the link's text.
      chain.insertContent({ type: "text", text: url, marks: [{ type: "link", attrs: { href: url } }] }).run();
    } else {
      chain.setLink({ href: url }).run();
    }
    close();
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); save(); }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  apply.addEventListener("click", save);
  remove.addEventListener("click", () => {
    editor.chain().focus().extendMarkRange("link").unsetLink().run();
    close();
  });
  return {
    row,
    open() {
      input.value = editor.getAttributes("link").href || "";
      row.hidden = false;
      input.focus();
    },
  };
}

function enhance(textarea) {
  const id = textarea.id;
  const label = document.querySelector(`label[for="${id}"]`);
  const wrapper = document.createElement("div");
  wrapper.className = "editor";
  const toolbar = document.createElement("div");
  toolbar.className = "editor__toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", gettext("Formatting"));
  toolbar.setAttribute("aria-controls", `${id}_editor`);
  const mount = document.createElement("div");
  wrapper.append(toolbar, mount);
  textarea.after(wrapper);
  textarea.hidden = true;
  textarea.removeAttribute("required");

  const attributes = {
    id: `${id}_editor`,
    class: "editor__area prose",
    role: "textbox",
    "aria-multiline": "true",
  };
  if (label) {
    label.id = label.id || `${id}_label`;
    attributes["aria-labelledby"] = label.id;
  }
  for (const name of ["aria-describedby", "aria-invalid"]) {
    if (textarea.hasAttribute(name)) attributes[name] = textarea.getAttribute(name);
  }
  const editor = new Editor({
    element: mount,
    extensions: extensions(gettext("Write your post…")),
    content: textarea.value,
    // The page's Content-Security-Policy allows no <style> elements; core.css carries
    // the few rules ProseMirror needs.
    injectCSS: false,
    editorProps: { attributes },
    onUpdate({ editor: current }) {
      textarea.value = current.isEmpty ? "" : current.getHTML();
    },
  });
  textarea.value = editor.isEmpty ? "" : editor.getHTML();
  if (label) {
    // The label names the editor; clicking it puts the caret there.
    label.addEventListener("click", (event) => { event.preventDefault(); editor.commands.focus(); });
  }

  const link = linkRow(editor, id);
  toolbar.after(link.row);
  const buttons = TOOLS.map((tool) => {
    const element = button(tool);
    element.addEventListener("click", () => {
      if (tool.name === "link") link.open();
      else tool.run(editor.chain().focus()).run();
    });
    toolbar.append(element);
    return { tool, element };
  });
  buttons[0].element.tabIndex = 0; // one tab stop; the arrows move inside the toolbar

  toolbar.addEventListener("keydown", (event) => {
    const list = buttons.map((b) => b.element);
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

  const sync = () => {
    for (const { tool, element } of buttons) {
      if (tool.active) element.setAttribute("aria-pressed", editor.isActive(...tool.active) ? "true" : "false");
    }
    const undo = buttons.find((b) => b.tool.name === "undo");
    const redo = buttons.find((b) => b.tool.name === "redo");
    undo.element.disabled = !editor.can().undo();
    redo.element.disabled = !editor.can().redo();
  };
  editor.on("selectionUpdate", sync);
  editor.on("transaction", sync);
  sync();
  wrapper.editor = editor;
}

// --- attachments: a drop zone over the file input, and the size check -------------------

// A size written as the server writes it (teammoa.core.sizes.file_size_text: "17 B",
// "50.3 KB", "10.5 MB", one style of unit in every language), so the list, the limit in the
// help text and the error agree.
function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function describeFiles(input, list) {
  list.replaceChildren();
  for (const file of input.files) {
    const item = document.createElement("li");
    item.textContent = `${file.name} (${fileSize(file.size)})`;
    list.append(item);
  }
  list.hidden = input.files.length === 0;
}

// Files over the server's limit (data-max-bytes) are named beside the field as soon as
// they are chosen, and the form cannot be sent with them; the server checks again.
function checkFiles(input, errors) {
  const limit = Number(input.dataset.maxBytes || 0);
  const big = limit ? [...input.files].filter((file) => file.size > limit) : [];
  const messages = big.map((file) => interpolate(
    gettext("“%(name)s” is %(size)s; the limit is %(limit)s per file."),
    { name: file.name, size: fileSize(file.size), limit: fileSize(limit) },
    true,
  ));
  errors.replaceChildren(...messages.map((message) => {
    const item = document.createElement("li");
    item.textContent = message;
    return item;
  }));
  errors.hidden = messages.length === 0;
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== errors.id);
  if (messages.length) {
    input.setAttribute("aria-invalid", "true");
    described.push(errors.id);
  } else {
    input.removeAttribute("aria-invalid");
  }
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
  input.setCustomValidity(messages.join(" "));
}

function dropZone(input) {
  const zone = input.closest("[data-drop-zone]");
  const list = document.createElement("ul");
  list.className = "drop-zone__files";
  list.hidden = true;
  list.setAttribute("aria-live", "polite");
  (zone || input).after(list);
  const errors = document.createElement("ul");
  errors.className = "field__errors";
  errors.id = `${input.id || "attachments"}_size_error`;
  errors.hidden = true;
  errors.setAttribute("role", "alert");
  list.after(errors);
  input.addEventListener("change", () => {
    checkFiles(input, errors);
    describeFiles(input, list);
  });
  if (!zone) return;
  const hint = zone.querySelector("[data-drop-hint]");
  if (hint) hint.hidden = false;
  let depth = 0;
  zone.addEventListener("dragenter", (event) => {
    if (![...event.dataTransfer.types].includes("Files")) return;
    event.preventDefault();
    depth += 1;
    zone.classList.add("is-over");
  });
  zone.addEventListener("dragover", (event) => {
    if ([...event.dataTransfer.types].includes("Files")) event.preventDefault();
  });
  zone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) zone.classList.remove("is-over");
  });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    zone.classList.remove("is-over");
    const files = new DataTransfer();
    for (const file of input.files) files.items.add(file);
    for (const file of event.dataTransfer.files) files.items.add(file);
    input.files = files.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

for (const textarea of document.querySelectorAll("textarea[data-rich-editor]")) enhance(textarea);
for (const input of document.querySelectorAll("input[type=file][data-max-bytes]")) dropZone(input);
