/**
 * The dashboard page: one self-contained HTML document (inline CSS, inline script, an SVG graph drawn by the
 * script), no external resource, so it works offline. The script fetches `/api/dashboard` every
 * {@link REFRESH_MS} and redraws; every value goes into the page as text (`textContent`, SVG text nodes), never
 * as markup, since worker names and failure details come from messages.
 *
 * @module
 */

/** How often the page fetches the figures. */
export const REFRESH_MS = 2000;

const STYLE = `
:root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --dim:#6b7280; --line:#d8dce3; --ok:#15803d; --warn:#b45309;
  --bad:#b91c1c; --accent:#2563eb; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg);
  color:var(--ink); }
header { display:flex; align-items:baseline; gap:16px; padding:12px 20px; background:#111827; color:#f9fafb; }
header h1 { font-size:18px; margin:0; }
header .dim { color:#9ca3af; }
.dim { color:var(--dim); font-size:12px; margin-top:6px; }
header .dim { margin-top:0; }
#state.bad { color:#fca5a5; }
main { padding:16px 20px; display:grid; gap:16px; }
.pair { display:grid; gap:16px; grid-template-columns:minmax(260px, 1fr) minmax(0, 2fr); }
@media (max-width:900px) { .pair { grid-template-columns:minmax(0, 1fr); } }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px;
  min-width:0; overflow-x:auto; }
h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--dim); margin:0 0 8px; }
.totals { display:flex; flex-wrap:wrap; gap:10px 28px; }
.figure .value { font-size:24px; font-weight:600; font-variant-numeric:tabular-nums; }
.figure .label { color:var(--dim); font-size:12px; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--dim); font-weight:500; font-size:12px; }
td.num, th.num { text-align:right; }
td.mono { font-family:ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12px; }
td.wrap { white-space:normal; }
.status { font-weight:600; }
.OK { color:var(--ok); } .FALLING_BEHIND { color:var(--warn); } .STALLED, .STOPPED { color:var(--bad); }
.empty { color:var(--dim); font-style:italic; }
svg text { font:12px system-ui, sans-serif; fill:var(--ink); }
svg .node rect { fill:#eef2ff; stroke:#6366f1; }
svg .node.router rect { fill:#1e3a8a; stroke:#1e3a8a; }
svg .node.router text { fill:#fff; font-weight:600; }
svg .node.dlq rect { fill:#fef2f2; stroke:var(--bad); }
svg .node.off rect { fill:#f3f4f6; stroke:#9ca3af; }
svg .edge { fill:none; stroke:var(--accent); stroke-linecap:round; }
svg .edge.off { stroke:#9ca3af; stroke-dasharray:5 5; }
svg .edge.dlq { stroke:var(--bad); stroke-dasharray:4 4; }
svg .small { font-size:11px; fill:var(--dim); }
section.drift { border-color:var(--warn); background:#fffbeb; }
section.drift h2 { color:var(--warn); }
section.drift ul { margin:4px 0; padding-left:18px; }
code, .mono-line { font-family:ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12px; white-space:pre; }
`;

const SCRIPT = `
var SVG = "http://www.w3.org/2000/svg";
function $(id) { return document.getElementById(id); }
function el(tag, attrs, text) {
  var e = document.createElement(tag);
  for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function sv(tag, attrs, text) {
  var e = document.createElementNS(SVG, tag);
  for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function rate(x) { return x === null || x === undefined ? "\\u2013" : x.toFixed(1) + "/s"; }
function pct(x) { return x === null || x === undefined ? "\\u2013" : (x * 100).toFixed(1) + " %"; }
function ms(x) { return x === null || x === undefined ? "\\u2013" : (x < 10 ? x.toFixed(2) : x.toFixed(1)) + " ms"; }
function secs(row) {
  if (row.lagSeconds === null) return "\\u2013";
  return (row.lagSecondsFrom === "rate" ? "~" : "") + row.lagSeconds.toFixed(1) + " s";
}
function int(x) { return Number(x).toLocaleString("en-US"); }
function fillTable(id, rows, columns) {
  var body = $(id).querySelector("tbody");
  body.replaceChildren();
  if (rows.length === 0) {
    var tr = el("tr");
    tr.appendChild(el("td", { colspan: String(columns), class: "empty" }, "none"));
    body.appendChild(tr);
    return;
  }
  rows.forEach(function (cells) {
    var tr = el("tr", cells.attrs || {});
    cells.cells.forEach(function (c) { tr.appendChild(el("td", { class: c[1] || "" }, c[0])); });
    body.appendChild(tr);
  });
}
function p95(route) { return route.p95RecentMs !== null ? route.p95RecentMs : route.p95Ms; }
function drawGraph(data) {
  var svg = $("graph");
  svg.replaceChildren();
  var routes = data.routes;
  var targets = [];
  routes.forEach(function (r) { if (targets.indexOf(r.targetTopic) < 0) targets.push(r.targetTopic); });
  var rowH = 74, top = 16;
  var rows = Math.max(routes.length, targets.length + 1, 2);
  var height = top * 2 + rows * rowH;
  svg.setAttribute("viewBox", "0 0 780 " + height);
  svg.setAttribute("height", String(height));
  var mid = height / 2;
  function yOf(i, n) { return top + (rows * rowH) * (i + 0.5) / n; }
  var edges = sv("g"), nodes = sv("g");
  svg.appendChild(edges); svg.appendChild(nodes);
  function node(x, y, w, h, cls, lines) {
    var g = sv("g", { class: "node " + cls });
    g.appendChild(sv("rect", { x: x, y: y - h / 2, width: w, height: h, rx: 6 }));
    lines.forEach(function (line, i) {
      var t = sv("text", { x: x + 10, y: y - h / 2 + 17 + i * 15, class: line[1] || "" }, line[0]);
      g.appendChild(t);
    });
    nodes.appendChild(g);
  }
  var rx = 330, rw = 140, tx = 560, tw = 210;
  node(rx, mid, rw, 46, "router", [["command center"], [rate(data.totals.forwardedPerSecond) + " out"]]);
  targets.forEach(function (t, i) { node(tx, yOf(i, targets.length + 1), tw, 34, "", [[t]]); });
  var dlqY = yOf(targets.length, targets.length + 1);
  node(tx, dlqY, tw, 46, "dlq", [["dead letters"], [int(data.totals.deadLettered) + " \\u00b7 " +
    rate(data.totals.deadLetteredPerSecond), "small"]]);
  edges.appendChild(sv("path", { class: "edge dlq", "stroke-width": 2,
    d: "M" + (rx + rw) + " " + mid + " C" + (rx + rw + 45) + " " + mid + " " + (tx - 45) + " " + dlqY + " " + tx +
      " " + dlqY }));
  routes.forEach(function (r, i) {
    var y = yOf(i, routes.length);
    var ty = yOf(targets.indexOf(r.targetTopic), targets.length + 1);
    var width = 1.5 + Math.min(6, Math.log10(1 + (r.perSecond || 0)) * 2);
    var path = sv("path", { class: "edge" + (r.enabled ? "" : " off"), "stroke-width": width.toFixed(1),
      "data-route": r.routeId,
      d: "M250 " + y + " C290 " + y + " 290 " + mid + " " + rx + " " + mid + " M" + (rx + rw) + " " + mid +
        " C" + (rx + rw + 45) + " " + mid + " " + (tx - 45) + " " + ty + " " + tx + " " + ty });
    path.appendChild(sv("title", {}, r.routeId + ": " + r.workerName + " \\u2192 " + r.targetTopic));
    edges.appendChild(path);
    node(10, y, 240, 58, r.enabled ? "" : "off", [
      [r.workerName],
      [r.routeId + (r.enabled ? "" : " (disabled)"), "small"],
      [rate(r.perSecond) + " \\u00b7 " + pct(r.successRatio) + " ok \\u00b7 p95 " + ms(p95(r)), "small"],
    ]);
  });
}
function renderRoutesFile(file) {
  var differs = !!file && file.differences.length > 0;
  $("routes-file").hidden = !differs;
  $("routes-file-match").textContent = file && !differs ? "live routes match the routes file " + file.path : "";
  if (!differs) return;
  $("routes-file-path").textContent = file.path;
  var list = $("routes-file-lines");
  list.replaceChildren();
  file.differences.forEach(function (d) {
    list.appendChild(el("li", { "data-worker": d.workerName, class: "mono-line" }, d.line));
  });
  $("routes-file-apply").textContent = file.apply;
}
function render(data) {
  renderRoutesFile(data.routesFile);
  $("received").textContent = int(data.totals.received);
  $("forwarded").textContent = int(data.totals.forwarded);
  $("forwarded-rate").textContent = rate(data.totals.forwardedPerSecond);
  $("dead-lettered").textContent = int(data.totals.deadLettered);
  $("dead-lettered-rate").textContent = rate(data.totals.deadLetteredPerSecond);
  $("success").textContent = pct(data.totals.successRatio);
  $("window").textContent = data.windowSeconds === null ? "rates after the next refresh"
    : "rates over the last " + data.windowSeconds.toFixed(1) + " s";
  drawGraph(data);
  fillTable("routes", data.routes.map(function (r) {
    return { attrs: { "data-route": r.routeId }, cells: [[r.routeId, "mono"], [r.workerName],
      [r.targetTopic], [r.enabled ? "on" : "off"], [int(r.forwarded), "num forwarded"], [rate(r.perSecond), "num"],
      [pct(r.successRatio), "num"], [ms(r.p95RecentMs), "num"], [ms(r.p95Ms), "num"]] };
  }), 9);
  fillTable("dead-letters", data.deadLetters.map(function (d) {
    return { attrs: { "data-reason": d.reason }, cells: [[d.reason, "mono"], [int(d.count), "num"],
      [rate(d.perSecond), "num"]] };
  }), 3);
  var dlq = data.deadLetterTopics || { sampledAt: null, error: null, rows: [] };
  fillTable("dead-letter-topics", dlq.rows.map(function (d) {
    return { attrs: { "data-topic": d.topic, "data-reason": d.reason }, cells: [[d.topic, "mono"],
      [d.reason, "mono"], [int(d.count), "num"], [int(d.replayable), "num"],
      [d.replayed === null ? "\u2013" : int(d.replayed), "num"]] };
  }), 5);
  $("dead-letter-topics-note").textContent = data.deadLetterTopics === null ? "not sampled by this command center"
    : (dlq.sampledAt ? "read " + new Date(dlq.sampledAt).toLocaleTimeString() + " (every 30 s while open)"
    : "first read in a few seconds") + (dlq.error ? " \u00b7 " + dlq.error : "");
  fillTable("lag", data.lag.rows.map(function (l) {
    return { attrs: { "data-group": l.group }, cells: [[l.group], [l.topic], [int(l.totalLag), "num"],
      [l.worst ? l.worst.partition + ": " + int(l.worst.lag) : "\\u2013"], [secs(l), "num"],
      [l.status, "status " + l.status]] };
  }), 6);
  $("lag-note").textContent = (data.lag.sampledAt ? "sampled " + new Date(data.lag.sampledAt).toLocaleTimeString()
    : "first sample in a few seconds") + (data.lag.error ? " \\u00b7 " + data.lag.error : "");
  fillTable("failures", data.failures.map(function (f) {
    return { attrs: { "data-request-id": f.requestId }, cells: [[new Date(f.at).toLocaleTimeString()],
      [f.requestId, "mono"], [f.workerName], [f.reason, "mono"], [f.detail, "wrap"]] };
  }), 5);
  $("updated").textContent = "updated " + new Date(data.generatedAt).toLocaleTimeString();
}
var refreshes = 0;
async function refresh() {
  try {
    var response = await fetch("/api/dashboard", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
    refreshes++;
    document.body.dataset.refreshes = String(refreshes);
    $("state").textContent = "live";
    $("state").className = "";
  } catch (error) {
    $("state").textContent = "not reachable: " + error.message;
    $("state").className = "bad";
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}
refresh();
`;

function table(id: string, headers: string[]): string {
  const cells = headers.map((h) =>
    h.startsWith("#") ? `<th class="num">${h.slice(1)}</th>` : `<th>${h}</th>`
  );
  return `<table id="${id}"><thead><tr>${cells.join("")}</tr></thead><tbody></tbody></table>`;
}

function figure(id: string, label: string): string {
  return `<div class="figure"><div class="value" id="${id}">–</div><div class="label">${label}</div></div>`;
}

/** The page. */
export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chain · command center</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>chain · command center</h1><span id="state">connecting…</span><span class="dim" id="updated"></span>
<span class="dim" id="window"></span></header>
<main>
<section id="routes-file" class="drift" hidden><h2>Live routes differ from the routes file</h2>
<div>The command center routes by the live routes, not by the file it started with,
<code id="routes-file-path"></code>. Applying the file would change:</div>
<ul id="routes-file-lines"></ul><div>To use the file's routes: <code id="routes-file-apply"></code></div></section>
<section><h2>Totals</h2><div class="totals">
${figure("received", "received")}
${figure("forwarded", "forwarded")}
${figure("forwarded-rate", "forwarded per second")}
${figure("dead-lettered", "dead-lettered")}
${figure("dead-lettered-rate", "dead-lettered per second")}
${figure("success", "success ratio")}
</div></section>
<section><h2>Routes: publisher → router → services</h2>
<svg id="graph" width="100%" role="img" aria-label="route graph"></svg>
<div class="dim" id="routes-file-match"></div>
${
    table("routes", [
      "route",
      "worker",
      "target topic",
      "on",
      "#forwarded",
      "#rate",
      "#success",
      "#p95 recent",
      "#p95",
    ])
  }
</section>
<div class="pair"><section><h2>Dead letters by reason</h2>${
    table("dead-letters", ["reason", "#count", "#rate"])
  }</section>
<section><h2>Consumer lag</h2>${
    table("lag", ["group", "topic", "#lag", "worst partition", "#lag time", "status"])
  }<div class="dim" id="lag-note"></div></section></div>
<section><h2>Dead-letter topics</h2>${
    table("dead-letter-topics", ["topic", "reason", "#count", "#replayable", "#replayed"])
  }<div class="dim">replayable: what chain dlq replay would take now (no --again, no --force); replayed: replayed
before by chain dlq replay</div><div class="dim" id="dead-letter-topics-note"></div></section>
<section><h2>Last failures</h2>${
    table("failures", ["time", "request id", "worker", "reason", "detail"])
  }</section>
</main>
<script>
var REFRESH_MS = ${REFRESH_MS};
${SCRIPT}
</script>
</body>
</html>
`;
}
