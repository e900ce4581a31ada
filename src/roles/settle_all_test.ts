import assert from "node:assert/strict";
import { settleAll } from "./settle_all.ts";

Deno.test("settleAll() keeps item order and never runs more than the limit at once", async () => {
  let running = 0;
  let peak = 0;
  const results = await settleAll([5, 1, 4, 2, 3], 2, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await Promise.resolve();
    running--;
    return n * 10;
  });
  assert.deepEqual(results, [50, 10, 40, 20, 30]);
  assert.equal(peak, 2);
});

Deno.test("settleAll() waits for every item before rejecting with the first failure", async () => {
  const finished: number[] = [];
  await assert.rejects(
    settleAll([1, 2, 3], 3, async (n) => {
      await Promise.resolve();
      if (n === 1) throw new Error("one failed");
      finished.push(n);
      return n;
    }),
    { message: "one failed" },
  );
  assert.deepEqual(finished.sort(), [2, 3]);
});

Deno.test("settleAll() of nothing is nothing", async () => {
  assert.deepEqual(await settleAll([], 4, () => Promise.resolve(1)), []);
});
