#include "plugins/orchestrator/src/web/page.h"

namespace mysqlop::orchestrator::web {

namespace {

// Everything the page shows is built with textContent (never innerHTML from data), so a host
// name or an error message cannot inject markup.
constexpr std::string_view kPage = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mysql-operator: orchestrator</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
h1 { font-size: 1.3em; margin: 0 0 .3em 0; }
h2 { font-size: 1.1em; margin: 0 0 .5em 0; }
.cluster { background: #fff; border: 1px solid #ccc; border-radius: 6px; padding: 1em; margin: 1em 0; }
.meta { color: #666; font-size: .85em; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 1.6em; }
ul.tree { padding-left: 0; }
ul.tree li { margin: .4em 0; position: relative; }
ul.tree ul li::before { content: "\2514\2500"; position: absolute; left: -1.4em; color: #999; }
.node { display: inline-block; border: 1px solid #999; border-radius: 4px; padding: .3em .6em; background: #f4f4f4; }
.node.master { border-color: #2a7; background: #e8f7ee; }
.node.replica { border-color: #57a; background: #eef2fb; }
.node.lagged { border-color: #c90; background: #fff6dd; }
.node.stopped, .node.unreachable { border-color: #c33; background: #fde8e8; }
.role { font-weight: bold; text-transform: uppercase; font-size: .75em; margin-right: .4em; }
.tag { font-size: .75em; border: 1px solid #aaa; border-radius: 3px; padding: 0 .3em; margin-left: .3em; }
.err { color: #a00; font-size: .8em; display: block; }
table { border-collapse: collapse; font-size: .85em; margin-top: .6em; }
td, th { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
.success { color: #185; } .failure { color: #a00; } .running { color: #b70; }
#status { color: #666; font-size: .85em; }
</style>
</head>
<body>
<h1>Replication topology</h1>
<div id="status">loading...</div>
<div id="clusters"></div>
<script>
"use strict";
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function nodeBox(n) {
  const box = el("span", "node " + n.state);
  box.appendChild(el("span", "role", n.state));
  box.appendChild(document.createTextNode(n.host));
  if (n.probed && n.reachable) {
    box.appendChild(el("span", "tag", n.readOnly ? "read_only" : "writable"));
    if (n.state !== "master") {
      box.appendChild(el("span", "tag", "lag " + (n.lagSeconds === null ? "?" : n.lagSeconds + " s")));
      if (!n.ioRunning) box.appendChild(el("span", "tag", "IO stopped"));
      if (!n.sqlRunning) box.appendChild(el("span", "tag", "SQL stopped"));
    }
  }
  if (!n.podExists) box.appendChild(el("span", "tag", "no pod"));
  for (const e of [n.error, n.lastIoError, n.lastSqlError]) {
    if (e) box.appendChild(el("span", "err", e));
  }
  return box;
}
// The tree: a node hangs under the node its Master_Host names (by host name or by the address
// it was probed at); the others are roots.
function tree(nodes) {
  const byName = new Map();
  for (const n of nodes) { byName.set(n.host, n); if (n.address) byName.set(n.address, n); }
  const children = new Map();
  const roots = [];
  for (const n of nodes) {
    const parent = n.masterHost ? byName.get(n.masterHost) : undefined;
    if (parent && parent !== n) {
      if (!children.has(parent.host)) children.set(parent.host, []);
      children.get(parent.host).push(n);
    } else {
      roots.push(n);
    }
  }
  const seen = new Set();
  function draw(list) {
    const ul = el("ul");
    for (const n of list) {
      if (seen.has(n.host)) continue;
      seen.add(n.host);
      const li = el("li");
      li.appendChild(nodeBox(n));
      const kids = children.get(n.host);
      if (kids) li.appendChild(draw(kids));
      ul.appendChild(li);
    }
    return ul;
  }
  const top = draw(roots);
  top.className = "tree";
  // Nodes in a replication loop have no root: draw them too.
  const rest = nodes.filter(n => !seen.has(n.host));
  if (rest.length) for (const li of draw(rest).children) top.appendChild(li.cloneNode(true));
  return top;
}
function recoveriesTable(list) {
  const t = el("table");
  const head = el("tr");
  for (const h of ["id", "analysis", "failed", "promoted", "detected", "ended", "result", "ack", "steps"])
    head.appendChild(el("th", null, h));
  t.appendChild(head);
  for (const r of list) {
    const tr = el("tr");
    tr.appendChild(el("td", null, r.id));
    tr.appendChild(el("td", null, r.analysis));
    tr.appendChild(el("td", null, r.failedHost));
    tr.appendChild(el("td", null, r.successorHost));
    tr.appendChild(el("td", null, r.detectedAt));
    tr.appendChild(el("td", null, r.endedAt || ""));
    const res = el("td", r.result, r.result);
    if (r.message) res.appendChild(el("span", "err", r.message));
    tr.appendChild(res);
    tr.appendChild(el("td", null, r.acknowledged ? "yes" : "no"));
    const steps = el("td");
    for (const s of r.steps) steps.appendChild(el("div", s.result === "failed" ? "failure" : null,
        s.name + ": " + s.result + (s.message ? " (" + s.message + ")" : "")));
    tr.appendChild(steps);
    t.appendChild(tr);
  }
  return t;
}
// Detections that no recovery followed (blocked, read-only): what the engine saw and left alone.
function detectionsTable(list) {
  const t = el("table");
  const head = el("tr");
  for (const h of ["detected", "analysis", "failed", "not recovered because"])
    head.appendChild(el("th", null, h));
  t.appendChild(head);
  for (const d of list) {
    const tr = el("tr");
    tr.appendChild(el("td", null, d.at));
    tr.appendChild(el("td", null, d.analysis));
    tr.appendChild(el("td", null, d.failedHost));
    tr.appendChild(el("td", "failure", d.description));
    t.appendChild(tr);
  }
  return t;
}
async function refresh() {
  const status = document.getElementById("status");
  try {
    const [topo, recs, dets] = await Promise.all([
      fetch("api/topology").then(r => { if (!r.ok) throw new Error("api/topology: " + r.status); return r.json(); }),
      fetch("api/recoveries?limit=200").then(r => r.ok ? r.json() : { recoveries: [] }),
      fetch("api/detections?limit=200").then(r => r.ok ? r.json() : { detections: [] }),
    ]);
    const blocked = new Map();
    for (const d of dets.detections) {
      if (d.recoveryId !== null) continue;
      if (!blocked.has(d.cluster)) blocked.set(d.cluster, []);
      blocked.get(d.cluster).push(d);
    }
    const byCluster = new Map();
    for (const r of recs.recoveries) {
      if (!byCluster.has(r.cluster)) byCluster.set(r.cluster, []);
      byCluster.get(r.cluster).push(r);
    }
    const root = document.getElementById("clusters");
    root.replaceChildren();
    for (const c of topo.clusters) {
      const key = c.namespace + "/" + c.name;
      const box = el("div", "cluster");
      box.appendChild(el("h2", null, key));
      box.appendChild(el("div", "meta",
          "master: " + (c.master || "none") + ", replicas: " + c.replicas +
          (c.readOnly ? ", spec.readOnly" : "") + (c.failoverInProgress ? ", FAILOVER IN PROGRESS" : "") +
          ", observed " + c.observedAt));
      box.appendChild(tree(c.nodes));
      const recent = (byCluster.get(key) || []).slice(0, 5);
      if (recent.length) box.appendChild(recoveriesTable(recent));
      else box.appendChild(el("div", "meta", "no recovery recorded"));
      const notRecovered = (blocked.get(key) || []).slice(0, 5);
      if (notRecovered.length) box.appendChild(detectionsTable(notRecovered));
      root.appendChild(box);
    }
    if (!topo.clusters.length) root.appendChild(el("p", "meta", "no cluster observed yet"));
    status.textContent = "updated " + new Date().toISOString();
  } catch (e) {
    status.textContent = "error: " + e.message;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)html";

}  // namespace

std::string_view indexPage() { return kPage; }

}  // namespace mysqlop::orchestrator::web
