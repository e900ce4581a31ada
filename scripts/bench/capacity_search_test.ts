import assert from "node:assert/strict";
import { capacityOf, capacityVerdict, nextCapacityRate } from "./capacity_search.ts";
import type { StepFigures } from "./step_figures.ts";

const stage = { p50_ms: 1, p99_ms: 2 };

const pass = (rate: number) => ({ rate, passed: true });
const fail = (rate: number) => ({ rate, passed: false });

Deno.test("nextCapacityRate() climbs the ladder while steps pass", () => {
  assert.equal(nextCapacityRate([], 2), 100);
  assert.equal(nextCapacityRate([pass(100)], 2), 200);
  assert.equal(nextCapacityRate([pass(100), pass(200), pass(300)], 2), 500);
  assert.equal(nextCapacityRate([pass(100)], 2, [100]), undefined);
});

Deno.test("nextCapacityRate() bisects between the last pass and the first fail, as often as allowed", () => {
  const tried = [pass(100), pass(200), pass(300), pass(500), pass(700), fail(1000)];
  assert.equal(nextCapacityRate(tried, 0), undefined);
  assert.equal(nextCapacityRate(tried, 2), 850);
  assert.equal(nextCapacityRate([...tried, pass(850)], 2), 930);
  assert.equal(nextCapacityRate([...tried, fail(850)], 2), 780);
  assert.equal(nextCapacityRate([...tried, pass(850), pass(930)], 2), undefined);
  // Within a tenth of the failing rate: done.
  assert.equal(nextCapacityRate([pass(100), pass(950), fail(1000)], 3), undefined);
});

Deno.test("nextCapacityRate() bisects below the ladder's first rate when it fails", () => {
  assert.equal(nextCapacityRate([fail(100)], 1), 50);
  assert.equal(nextCapacityRate([fail(100), fail(50)], 1), undefined);
});

Deno.test("capacityOf() is the highest pass below the lowest fail", () => {
  assert.equal(capacityOf([]), 0);
  assert.equal(capacityOf([fail(100)]), 0);
  assert.equal(capacityOf([pass(100), pass(200), fail(300), pass(250)]), 250);
  assert.equal(capacityOf([pass(100), pass(200)]), 200);
});

function step(overrides: Partial<StepFigures> = {}): StepFigures {
  return {
    offered_orders_per_s: 300,
    achieved_orders_per_s: 299,
    seconds: 10,
    published: 3000,
    completed: 3000,
    completed_in_drain: 3000,
    drain_s: 5,
    hop_p50_ms: 5,
    hop_p95_ms: 9,
    hop_p99_ms: 20,
    hop_max_ms: 40,
    e2e_p50_ms: 40,
    e2e_p95_ms: 90,
    e2e_p99_ms: 250,
    e2e_max_ms: 400,
    stages: { hop1: stage, service1: stage, hop2: stage, service2: stage },
    cpu_us_per_order: {},
    rss_mib: {},
    requests_per_order: {},
    problems: [],
    ...overrides,
  };
}

Deno.test("capacityVerdict() passes a step that kept up with p99 <= 250 ms", () => {
  assert.deepEqual(capacityVerdict(step()), { passed: true, reason: "passed" });
});

Deno.test("capacityVerdict() says every reason a step failed", () => {
  const v = capacityVerdict(step({ e2e_p99_ms: 251, completed_in_drain: 2990, achieved_orders_per_s: 200 }));
  assert.equal(v.passed, false);
  assert.match(v.reason, /publisher reached 200 of 300/);
  assert.match(v.reason, /10 of 3000 not done within the run \+ 5 s/);
  assert.match(v.reason, /e2e p99 251 ms > 250 ms/);
  assert.equal(capacityVerdict(step({ e2e_p99_ms: NaN })).passed, false);
  assert.equal(capacityVerdict(step({ problems: ["service-2 exited during the step"] })).passed, false);
});
