// The board's list of posts follows teammates' posts, edits and deletions as they happen
// (team_live.js): the list is read again with the same search and page; the search box,
// and whatever is typed into it, is left alone.
import { liveTeam, readThisPage, throttled } from "./team_live.js";

const RESULTS = "[data-post-results]";

async function refreshList() {
  const { page } = await readThisPage();
  if (!page) return;
  const fresh = page.querySelector(RESULTS);
  const mine = document.querySelector(RESULTS);
  if (!fresh || !mine) return;
  const focused = mine.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
  const node = document.importNode(fresh, true);
  mine.replaceWith(node);
  const again = focused && [...node.querySelectorAll("a[href]")].find((a) => a.getAttribute("href") === focused);
  if (again) again.focus({ preventScroll: true });
}

if (document.querySelector(RESULTS)) {
  const refresh = throttled(refreshList, 100);
  liveTeam({
    onEvent: (event) => {
      if (event.type.startsWith("post.") || event.type === "comment.created") refresh();
    },
    onResync: refresh,
  });
}
