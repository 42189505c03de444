// Node sizes and the placement of new nodes (store.js), in Node with the width estimate.
// Run by tests/test_js_editor.py: prints one JSON line of observations.
const { Store, childSpot, nodeLabel, estimateWidth, NODE_HEIGHT, NODE_MAX_WIDTH } = await import(`${process.argv[2]}/store.js`);

const size = { width: 4000, height: 3000 };
const box = (n) => ({ left: n.x - nodeLabel(n.title).width / 2, right: n.x + nodeLabel(n.title).width / 2, top: n.y - NODE_HEIGHT / 2, bottom: n.y + NODE_HEIGHT / 2 });
const overlaps = (nodes) => {
  const pairs = [];
  for (let i = 0; i < nodes.length; i += 1) {
    for (let j = i + 1; j < nodes.length; j += 1) {
      const a = box(nodes[i]), b = box(nodes[j]);
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) pairs.push([nodes[i].title, nodes[j].title]);
    }
  }
  return pairs;
};
const result = {};

// Twelve children of one root, then four grandchildren under the first child: no two boxes
// touch, and grandchildren go outwards (away from the root).
{
  const nodes = [{ id: 1, title: "Launch day", x: 2000, y: 1500 }];
  const titles = ["Venue", "Invites", "Budget", "도서관 세미나실 예약", "Catering", "Music", "회의록", "Speakers", "Tickets", "Press", "Volunteers", "Thanks"];
  titles.forEach((title, i) => nodes.push({ id: i + 2, title, ...childSpot(nodes, nodes[0], size, title) }));
  const first = nodes[1];
  for (const title of ["Hall A", "Hall B", "Garden", "Rooftop"]) nodes.push({ id: nodes.length + 1, title, ...childSpot(nodes, first, size, title, nodes[0]) });
  result.tree = {
    overlaps: overlaps(nodes),
    distinct: new Set(nodes.map((n) => `${n.x},${n.y}`)).size === nodes.length,
    inside: nodes.every((n) => n.x >= 0 && n.y >= 0 && n.x <= size.width && n.y <= size.height),
    outwards: nodes.slice(-4).every((n) => n.x > first.x),
  };
}

// A crowded corner still finds free spots on the paper.
{
  const small = { width: 600, height: 400 };
  const nodes = [{ id: 1, title: "Root", x: 580, y: 380 }];
  for (let i = 0; i < 10; i += 1) nodes.push({ id: i + 2, title: `Child ${i}`, ...childSpot(nodes, nodes[0], small, `Child ${i}`) });
  result.crowded = { overlaps: overlaps(nodes).length, inside: nodes.every((n) => n.x >= 0 && n.y >= 0 && n.x <= small.width && n.y <= small.height) };
}

// Widths: Korean counts a full em per syllable; a long title is shortened with "…" to fit.
{
  const korean = nodeLabel("세미나실 예약 확인");
  const latin = nodeLabel("abc");
  const long = nodeLabel("도서관 세미나실 예약과 발표 자료 준비하기, 그리고 다음 주 금요일 회의 안건 정리하기");
  result.width = {
    korean: korean.width,
    koreanFits: estimateWidth("세미나실 예약 확인") <= korean.width - 20,
    latin: latin.width,
    longShortened: long.shortened && long.text.endsWith("…"),
    longFits: estimateWidth(long.text) <= NODE_MAX_WIDTH - 20 && long.width <= NODE_MAX_WIDTH,
  };
}

// The outline's parents: a sibling goes under the same parent.
{
  const store = new Store(1);
  store.load({
    mindmap: { title: "Map" }, version: 1, presence: [],
    nodes: [{ id: 1, title: "Root", x: 0, y: 0 }, { id: 2, title: "A", x: 100, y: 0 }, { id: 3, title: "B", x: 200, y: 0 }],
    connections: [{ id: 1, source: 1, target: 2 }, { id: 2, source: 2, target: 3 }],
  });
  result.parents = Object.fromEntries(store.parents());
}

console.log(JSON.stringify(result));
