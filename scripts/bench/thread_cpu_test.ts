import assert from "node:assert/strict";
import { poolName, poolUse, type ThreadSample } from "./thread_cpu.ts";

const thread = (name: string, user: number, system: number): ThreadSample => ({
  name,
  user,
  system,
  voluntarySwitches: 10,
  involuntarySwitches: 1,
});

Deno.test("poolName() folds a pool's numbered threads into one name", () => {
  assert.equal(poolName("MutationStage-3"), "MutationStage*");
  assert.equal(poolName("data-plane-kafk"), "data-plane-kafk");
  assert.equal(poolName("C2 CompilerThre"), "C# CompilerThre");
});

Deno.test("poolUse() sums each pool's CPU between two samples, busiest first; new threads count from zero", () => {
  const before = new Map([[1, thread("MutationStage-1", 1, 1)], [2, thread("GC Thread#0", 0, 0)]]);
  const after = new Map([
    [1, thread("MutationStage-1", 2, 1.5)],
    [2, thread("GC Thread#0", 0.1, 0)],
    [3, thread("MutationStage-2", 0.5, 0)],
  ]);
  const pools = poolUse(before, after);
  assert.equal(pools[0].pool, "MutationStage*");
  assert.equal(pools[0].threads, 2);
  assert.ok(Math.abs(pools[0].userSeconds - 1.5) < 1e-9);
  assert.ok(Math.abs(pools[0].systemSeconds - 0.5) < 1e-9);
  assert.equal(pools[1].pool, "GC Thread*");
});
