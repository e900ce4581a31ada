import assert from "node:assert/strict";
import { idleShares } from "./idle_run.ts";

Deno.test("idleShares() gives each process's percent of a core over the window, and their sum as all", () => {
  const shares = idleShares({ kafka: 10, cassandra: 20 }, { kafka: 10.6, cassandra: 20.3 }, 60);
  assert.deepEqual(shares, { kafka: 1, cassandra: 0.5, all: 1.5 });
});

Deno.test("idleShares() leaves a process that was not there before as NaN, not zero", () => {
  const shares = idleShares({}, { kafka: 3 }, 10);
  assert.ok(Number.isNaN(shares.kafka));
});
