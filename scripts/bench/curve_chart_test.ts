import assert from "node:assert/strict";
import type { CapacityStep } from "./capacity_run.ts";
import { curveChart } from "./curve_chart.ts";
import type { StepFigures } from "./step_figures.ts";

const stage = { p50_ms: 1, p99_ms: 2 };

function point(rate: number, p50: number, p99: number): StepFigures {
  return {
    offered_orders_per_s: rate,
    achieved_orders_per_s: rate,
    seconds: 10,
    published: rate * 10,
    completed: rate * 10,
    completed_in_drain: rate * 10,
    drain_s: 5,
    hop_p50_ms: 1,
    hop_p95_ms: 2,
    hop_p99_ms: 3,
    hop_max_ms: 4,
    e2e_p50_ms: p50,
    e2e_p95_ms: p99,
    e2e_p99_ms: p99,
    e2e_max_ms: p99,
    stages: { hop1: stage, service1: stage, hop2: stage, service2: stage },
    cpu_us_per_order: { all: 1000 },
    rss_mib: {},
    requests_per_order: {},
    problems: [],
  };
}

const step = (rate: number, p99: number, passed: boolean): CapacityStep => ({
  ...point(rate, p99 / 2, p99),
  passed,
  reason: passed ? "passed" : "e2e p99",
});

Deno.test("curveChart() plots p50 and p99 of the curve against the offered rate", () => {
  const chart = curveChart({ mode: "quick", curve: [point(100, 30, 90), point(300, 50, 400)] });
  assert.equal(chart.logX && chart.logY, true);
  assert.match(chart.title, /quick mode/);
  assert.deepEqual(chart.series.map((s) => s.name), ["curve: e2e p50", "curve: e2e p99"]);
  assert.deepEqual(chart.series[1].points, [{ x: 100, y: 90 }, { x: 300, y: 400 }]);
  assert.deepEqual(chart.yRules!.map((r) => r.at), [250, 60, 20]);
  assert.deepEqual(chart.xRules!.map((r) => r.at), [1500]);
});

Deno.test("curveChart() marks passed and failed capacity steps and the capacity found", () => {
  const chart = curveChart({
    capacity: {
      orders_per_s: 200,
      seconds: 10,
      p99_limit_ms: 250,
      drain_s: 5,
      criterion: "",
      at_capacity: null,
      steps: [step(100, 80, true), step(200, 200, true), step(300, 900, false)],
    },
  });
  assert.deepEqual(chart.series.map((s) => [s.name, s.points.length, s.markersOnly]), [
    ["capacity step passed: e2e p99", 2, true],
    ["capacity step failed: e2e p99", 1, true],
  ]);
  assert.deepEqual(chart.xRules!.map((r) => r.label), ["aim: capacity ≥ 1,500/s", "capacity 200/s"]);
});
