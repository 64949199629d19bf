// The page's script (plugins/orchestrator/src/web/page.cpp) run by node against the JSON of the
// two routes: the replication tree (a replica that names its master by IP hangs under it), the
// tags, and the recoveries table. The browser's document is the smallest stand-in that records
// what the script builds; the script and the JSON shapes are the real ones.
"use strict";
const assert = require("assert");
const fs = require("fs");

const source = fs.readFileSync(process.argv[2], "utf8");
const script = source.slice(source.indexOf("<script>") + 8, source.indexOf("</script>"));

class Element {
  constructor(tag) { this.tag = tag; this.children = []; this.className = ""; this.text = ""; }
  appendChild(c) { this.children.push(c); return c; }
  replaceChildren() { this.children = []; }
  set textContent(v) { this.text = v; }
  get textContent() { return this.text + this.children.map(c => c.textContent).join(""); }
  cloneNode() { return this; }
  all(pred, out = []) {
    if (pred(this)) out.push(this);
    for (const c of this.children) if (c instanceof Element) c.all(pred, out);
    return out;
  }
}
const byId = { status: new Element("div"), clusters: new Element("div") };
global.document = {
  createElement: t => new Element(t),
  createTextNode: t => ({ textContent: t }),
  getElementById: id => byId[id],
};
global.setInterval = () => 0;

const node = (i, extra) => Object.assign({
  host: `c-mysql-${i}.mysql.obs`, address: `127.0.0.${i + 1}`, podExists: true, probed: true,
  reachable: true, error: "", lastIoError: "", lastSqlError: "", ioRunning: true, sqlRunning: true,
}, extra);
const topology = { clusters: [{
  namespace: "obs", name: "c", replicas: 3, readOnly: false, failoverInProgress: false,
  master: "c-mysql-0.mysql.obs", observedAt: "2026-12-03T08:00:00.000Z",
  nodes: [
    node(0, { state: "master", readOnly: false, masterHost: "", lagSeconds: null }),
    node(1, { state: "lagged", readOnly: true, masterHost: "127.0.0.1", lagSeconds: 42 }),
    node(2, { state: "unreachable", reachable: false, masterHost: "", error: "c-mysql-2: refused <b>" }),
  ] }] };
const recoveries = { recoveries: [{
  id: 7, cluster: "obs/c", analysis: "DeadMaster", failedHost: "c-mysql-0.mysql.obs",
  successorHost: "c-mysql-1.mysql.obs", detectedAt: "t0", endedAt: "t1", result: "failure",
  message: "read_only stayed 1", acknowledged: false,
  steps: [{ name: "set read_only=0", result: "failed", message: "denied" }] }] };
const detections = { detections: [
  { id: 3, cluster: "obs/c", analysis: "DeadMaster", failedHost: "c-mysql-1.mysql.obs",
    description: "DeadMaster of c-mysql-1.mysql.obs:3306 is not recovered: blocked",
    at: "t2", recoveryId: null },
  { id: 2, cluster: "obs/c", analysis: "DeadMaster", failedHost: "c-mysql-0.mysql.obs",
    description: "followed by a recovery", at: "t0", recoveryId: 7 }] };
const fetched = [];
global.fetch = url => {
  fetched.push(url);
  const body = url.startsWith("api/topology") ? topology
      : url.startsWith("api/detections") ? detections : recoveries;
  return Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve(body) });
};

eval(script);

setTimeout(() => {
  assert.deepStrictEqual(fetched, ["api/topology", "api/recoveries?limit=200",
                                   "api/detections?limit=200"]);
  const root = byId.clusters;
  const boxes = root.all(e => e.className.startsWith("node "));
  assert.deepStrictEqual(boxes.map(b => b.className),
                         ["node master", "node lagged", "node unreachable"]);
  // The lagged replica is drawn inside the master's list item (it names the master by IP).
  const tree = root.all(e => e.className === "tree")[0];
  const masterItem = tree.children[0];
  assert.strictEqual(masterItem.children[0].className, "node master");
  assert.strictEqual(masterItem.children[1].children[0].children[0].className, "node lagged");
  assert.strictEqual(tree.children[1].children[0].className, "node unreachable");
  assert.match(boxes[0].textContent, /writable/);
  assert.match(boxes[1].textContent, /read_only/);
  assert.match(boxes[1].textContent, /lag 42 s/);
  // An error is text, not markup.
  assert.match(boxes[2].textContent, /refused <b>/);
  const cells = root.all(e => e.tag === "td").map(e => e.textContent);
  assert.ok(cells.includes("DeadMaster"));
  assert.ok(cells.includes("c-mysql-1.mysql.obs"));
  assert.ok(cells.some(c => c.startsWith("failure") && c.includes("read_only stayed 1")));
  assert.ok(cells.includes("set read_only=0: failed (denied)"));
  // A detection no recovery followed is shown with why; one a recovery followed is not.
  assert.ok(cells.includes("DeadMaster of c-mysql-1.mysql.obs:3306 is not recovered: blocked"));
  assert.ok(!cells.includes("followed by a recovery"));
  assert.match(byId.status.text, /^updated /);
  console.log("page script: ok");
}, 50);
