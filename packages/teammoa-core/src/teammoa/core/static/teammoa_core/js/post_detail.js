// A post's page follows its comments and edits as they happen (team_live.js): a
// teammate's comment joins the list without touching what the reader is doing (an open
// edit form, the comment being typed, focus), an edit of the post is read again, and a
// deletion is said on the page, with the way back to the board.
import { gettext, interpolate } from "./api.js";
import { liveTeam, readThisPage, throttled } from "./team_live.js";

const article = document.querySelector("[data-post]");
const post = article ? Number(article.dataset.post) : null;
let gone = false;

async function freshPage() {
  const { page, status } = await readThisPage();
  if (status === 404) showDeleted();
  return page;
}

// A comment item is the reader's to keep while they work in it (its edit form is open or
// has focus), even if the fresh page no longer lists it.
const busy = (item) => item.contains(document.activeElement) || item.querySelector("details[open]");

async function refreshComments(page) {
  const fresh = page.querySelector("[data-comments]");
  const mine = document.querySelector("[data-comments]");
  if (!fresh || !mine) return;
  mine.querySelector("[data-comment-count]").textContent = fresh.querySelector("[data-comment-count]").textContent;
  const freshList = fresh.querySelector("[data-comment-list]");
  let list = mine.querySelector("[data-comment-list]");
  const empty = mine.querySelector("[data-no-comments]");
  if (!freshList) return;
  if (!list) {
    list = document.importNode(freshList, false);
    (empty || mine.querySelector("[data-comment-form]")).before(list);
  }
  if (empty) empty.remove();
  const wanted = new Set([...freshList.children].map((item) => item.id));
  for (const item of [...list.children]) if (!wanted.has(item.id) && !busy(item)) item.remove();
  for (const item of freshList.children) {
    if (!document.getElementById(item.id)) list.append(document.importNode(item, true));
  }
}

function refreshPost(page) {
  const fresh = page.querySelector("[data-post]");
  if (!fresh || article.contains(document.activeElement)) return;
  article.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
  document.title = page.title;
}

function showDeleted() {
  if (gone) return;
  gone = true;
  const said = document.createElement("p");
  said.className = "message message--warning";
  said.setAttribute("role", "alert");
  said.textContent = gettext("This post was deleted.");
  const back = document.querySelector(".breadcrumb a");
  article.replaceChildren(said);
  if (back) said.append(" ", document.importNode(back, true));
  const form = document.querySelector("[data-comment-form]");
  if (form) form.remove(); // nothing left to comment on
}

if (post) {
  const refresh = throttled(async () => {
    if (gone) return;
    const page = await freshPage();
    if (!page) return;
    refreshPost(page);
    await refreshComments(page);
  }, 100);
  const here = (event) => event.post === post;
  liveTeam({
    onEvent: (event) => {
      if (!here(event)) return undefined;
      if (event.type === "post.changed" && event.deleted) return showDeleted();
      if (event.type === "post.changed" || event.type === "comment.created") return refresh();
      return undefined;
    },
    onResync: refresh,
    describe: (event) => {
      if (!here(event)) return undefined;
      const name = event.name || gettext("A teammate");
      const say = (format) => interpolate(format, { name }, true);
      if (event.type === "comment.created") return say(gettext("%(name)s commented on this post."));
      if (event.type === "post.changed") {
        return event.deleted ? say(gettext("%(name)s deleted this post.")) : say(gettext("%(name)s edited this post."));
      }
      return undefined;
    },
  });
}
