import assert from "node:assert/strict";
import type { StepRecord } from "./rate_step.ts";
import { type AppendTimes, stepFigures } from "./step_figures.ts";

function record(overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    plan: { rate: 100, seconds: 10, drainMs: 5000, waitMs: 60_000, seed: 1 },
    ids: ["a", "b", "c", "d"],
    firstAckAt: 10_000,
    firstAckCount: 1,
    lastAckAt: 10_030,
    completedInStep: 3,
    cpuSeconds: { publisher: 0.003, "service-2": 0.006, kafka: NaN },
    rssMiB: { "service-2": 123.456 },
    requests: {
      publisher: { "kafka produce": 3 },
      "command-center": { "kafka produce": 5, "cassandra batch": 1, "rows written": 6 },
    },
    problems: [],
    ...overrides,
  };
}

const times: AppendTimes = {
  inboxFirst: new Map([["a", 10_000], ["b", 10_010], ["c", 10_020], ["d", 10_030]]),
  inboxSecond: new Map([["a", 10_050], ["b", 10_070]]),
  s1: new Map([["a", 10_005], ["b", 10_030], ["c", 10_021]]),
  s2: new Map([["a", 10_060], ["b", 10_090]]),
};

Deno.test("stepFigures() matches hops and end-to-end times by request_id", () => {
  const completions = new Map([["a", 10_100], ["b", 10_300], ["c", 16_000], ["x", 1]]);
  const f = stepFigures(record(), times, completions);
  // Hops: a 5, b 20, c 1 (to service-1); a 10, b 20 (to service-2).
  assert.deepEqual([f.hop_p50_ms, f.hop_p99_ms, f.hop_max_ms], [10, 20, 20]);
  // End to end: a 100, b 290, c 5980; d not completed.
  assert.deepEqual([f.e2e_p50_ms, f.e2e_max_ms], [290, 5980]);
  assert.equal(f.published, 4);
  assert.equal(f.completed, 3);
  // c completed after the last acknowledgement (10,030) plus the 5 s drain.
  assert.equal(f.completed_in_drain, 2);
  assert.equal(f.achieved_orders_per_s, 100);
  // Stages: hop1 a 5, b 20, c 1; service1 a 45, b 40; hop2 a 10, b 20; service2 a 40, b 210.
  assert.deepEqual(f.stages, {
    hop1: { p50_ms: 5, p99_ms: 20 },
    service1: { p50_ms: 40, p99_ms: 45 },
    hop2: { p50_ms: 10, p99_ms: 20 },
    service2: { p50_ms: 40, p99_ms: 210 },
  });
});

Deno.test("stepFigures() divides CPU by the orders completed in the step, and sums what it can read", () => {
  const f = stepFigures(record(), times, new Map());
  assert.equal(f.cpu_us_per_order.publisher, 1000);
  assert.equal(f.cpu_us_per_order["service-2"], 2000);
  assert.ok(Number.isNaN(f.cpu_us_per_order.kafka));
  assert.equal(f.cpu_us_per_order.all, 3000);
  assert.equal(f.rss_mib["service-2"], 123.5);
  const none = stepFigures(record({ completedInStep: 0 }), times, new Map());
  assert.ok(Number.isNaN(none.cpu_us_per_order.all));
});

Deno.test("stepFigures() gives each process's requests and rows per completed order, and their sum", () => {
  const f = stepFigures(record(), times, new Map());
  assert.deepEqual(f.requests_per_order.publisher, { "kafka produce": 1 });
  assert.deepEqual(f.requests_per_order["command-center"], {
    "kafka produce": 1.67,
    "cassandra batch": 0.33,
    "rows written": 2,
  });
  assert.deepEqual(f.requests_per_order.all, {
    "kafka produce": 2.67,
    "cassandra batch": 0.33,
    "rows written": 2,
  });
});
