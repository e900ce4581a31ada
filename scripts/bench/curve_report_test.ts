import assert from "node:assert/strict";
import type { CapacityFigures } from "./capacity_run.ts";
import { curveKeys, curveLost, curveTables } from "./curve_report.ts";
import type { StepFigures } from "./step_figures.ts";

const stage = { p50_ms: 1, p99_ms: 2 };

function point(rate: number, p99: number, completed = rate * 10): StepFigures {
  return {
    offered_orders_per_s: rate,
    achieved_orders_per_s: rate,
    seconds: 10,
    published: rate * 10,
    completed,
    completed_in_drain: completed,
    drain_s: 5,
    hop_p50_ms: 1,
    hop_p95_ms: 2,
    hop_p99_ms: 3,
    hop_max_ms: 4,
    e2e_p50_ms: 10,
    e2e_p95_ms: 20,
    e2e_p99_ms: p99,
    e2e_max_ms: 99,
    stages: { hop1: stage, service1: stage, hop2: stage, service2: stage },
    cpu_us_per_order: { publisher: 100, kafka: 200, all: 300 },
    rss_mib: { "service-2": 250 },
    requests_per_order: {},
    problems: [],
  };
}

const capacity: CapacityFigures = {
  orders_per_s: 300,
  seconds: 10,
  p99_limit_ms: 250,
  drain_s: 5,
  criterion: "runs of 10 s",
  at_capacity: null,
  steps: [{ ...point(300, 100), passed: true, reason: "passed" }, {
    ...point(500, 900),
    passed: false,
    reason: "e2e p99 900 ms > 250 ms",
  }],
};

Deno.test("curveKeys() gives the issue's keys, the curve and the capacity", () => {
  const keys = curveKeys([point(100, 40), point(1000, 700), point(300, 90)], capacity);
  assert.equal(keys.e2e_p99_ms_at_100, 40);
  assert.equal(keys.e2e_p99_ms_at_1000, 700);
  assert.equal(keys.capacity_orders_per_s, 300);
  assert.equal(keys.cpu_us_per_order_at_orders_per_s, 1000);
  assert.deepEqual(keys.cpu_us_per_order, { publisher: 100, kafka: 200, all: 300 });
  assert.equal(keys.curve!.length, 3);
  assert.equal(keys.capacity, capacity);
});

Deno.test("curveKeys() leaves out what did not run, and says null for a rate not measured", () => {
  assert.deepEqual(curveKeys(undefined, undefined), {});
  const keys = curveKeys([point(100, 40)], undefined);
  assert.equal(keys.e2e_p99_ms_at_1000, null);
  assert.equal("capacity_orders_per_s" in keys, false);
});

Deno.test("curveLost() counts the curve's orders that never completed", () => {
  assert.equal(curveLost([point(100, 1, 990), point(300, 1)]), 10);
  assert.equal(curveLost(undefined), 0);
});

Deno.test("curveTables() shows every run with its aim and verdict, then CPU and RSS per process", () => {
  const md = curveTables([point(100, 40)], capacity);
  assert.match(md, /^Capacity: \*\*300 orders\/s\*\*/);
  assert.match(
    md,
    /\| curve \| 100 \| 100 \| 1000 \/ 1000 \| 1 \/ 2 \/ 3 \| 10 \/ 20 \/ 40 \/ 99 \| p50 ≤ 20, p99 ≤ 60 ms/,
  );
  assert.match(md, /\| capacity step, failed \| 500 .*e2e p99 900 ms > 250 ms \|/);
  assert.match(
    md,
    /\| run \| offered orders\/s \| CPU µs per order, all \(aim ≤ 1,000\) \| CPU µs publisher \| CPU µs kafka \| peak RSS service-2 MiB \|/,
  );
  assert.match(md, /\| curve \| 100 \| 300 \| 100 \| 200 \| 250 \|/);
  assert.doesNotMatch(md, /Requests and rows per order/);
  assert.equal(curveTables(undefined, undefined), "");
});

Deno.test("curveTables() adds the requests and rows per order of each step and process, all last", () => {
  const step = {
    ...point(50, 30),
    requests_per_order: {
      all: { "kafka produce": 3.5, "kafka metadata": 0.25 },
      "command-center": { "kafka produce": 2, "cassandra batch": 0.1 },
    },
  };
  const md = curveTables([step], undefined);
  assert.match(md, /Requests and rows per order, per process/);
  assert.match(
    md,
    /\| 50 \| command-center \| 2\.00 \| - \| - \| - \| - \| 0\.10 \| - \| - \| - \| - \|\n\| 50 \| all \| 3\.50 \| - .* \| 0\.25 \|$/m,
  );
});
