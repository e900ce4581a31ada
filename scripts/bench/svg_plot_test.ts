import assert from "node:assert/strict";
import { escapeXml, linearTicks, logTicks, scale, svgLineChart, tickLabel } from "./svg_plot.ts";

Deno.test("logTicks() covers the range with 1, 2, 5 × 10^k", () => {
  assert.deepEqual(logTicks(100, 1400), [100, 200, 500, 1000, 2000]);
  assert.deepEqual(logTicks(30, 250), [20, 50, 100, 200, 500]);
  assert.deepEqual(logTicks(0.3, 0.9), [0.2, 0.5, 1]);
});

Deno.test("linearTicks() uses a round step and covers the range", () => {
  assert.deepEqual(linearTicks(0, 1000, 5), [0, 200, 400, 600, 800, 1000]);
  const ticks = linearTicks(0, 37);
  assert.ok(ticks[0] <= 0 && ticks[ticks.length - 1] >= 37);
});

Deno.test("scale() maps linearly or by the logarithm", () => {
  assert.equal(scale(50, 0, 100, 0, 200), 100);
  assert.equal(scale(100, 10, 1000, 0, 200, true), 100);
  // y grows upwards: a range from bottom to top.
  assert.equal(scale(1000, 10, 1000, 400, 40, true), 40);
});

Deno.test("tickLabel() and escapeXml()", () => {
  assert.equal(tickLabel(1400), "1,400");
  assert.equal(tickLabel(0.5), "0.5");
  assert.equal(escapeXml(`a<b & "c"`), "a&#60;b &#38; &#34;c&#34;");
});

Deno.test("svgLineChart() draws lines, markers, rules and a legend, leaving out unusable points", () => {
  const svg = svgLineChart({
    title: "t <1>",
    xLabel: "x",
    yLabel: "y",
    logX: true,
    logY: true,
    series: [
      { name: "p50", color: "blue", points: [{ x: 300, y: 40 }, { x: 100, y: 20 }, { x: 1000, y: NaN }] },
      { name: "steps", color: "green", markersOnly: true, points: [{ x: 500, y: 0 }, { x: 700, y: 90 }] },
    ],
    yRules: [{ at: 250, label: "aim", color: "red" }],
    xRules: [{ at: 1500, label: "cap", color: "purple" }],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.match(svg, /t &#60;1&#62;/);
  // One line (p50, two usable points, in x order); markers only for the steps.
  const polylines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(polylines.length, 1);
  const xs = polylines[0].split(" ").map((p) => Number(p.split(",")[0]));
  assert.equal(xs.length, 2);
  assert.ok(xs[0] < xs[1]);
  // Markers: 2 of p50, 1 of steps (y = 0 has no place on a log axis), plus 2 in the legend.
  assert.equal([...svg.matchAll(/<circle /g)].length, 5);
  assert.match(svg, />aim</);
  assert.match(svg, />cap</);
  assert.match(svg, />2,000</);
});

Deno.test("svgLineChart() draws empty axes when there is nothing to plot", () => {
  const svg = svgLineChart({ title: "", xLabel: "", yLabel: "", series: [] });
  assert.match(svg, /<rect x="70"/);
  assert.doesNotMatch(svg, /NaN|Infinity/);
});
