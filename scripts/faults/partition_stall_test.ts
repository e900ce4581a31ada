import assert from "node:assert/strict";
import { firstAfter, formatPerPartition, repeatedRecords, stallPerPartition } from "./partition_stall.ts";

const at = (partition: number, ...times: number[]) => times.map((t) => ({ partition, at: t }));

Deno.test("stallPerPartition() counts each partition's wait from the fault, then its longest gap", () => {
  const handled = [
    ...at(0, 900, 1_050, 1_100, 1_150),
    ...at(1, 950, 3_400, 3_450), // held by the killed member until 3.4 s
    ...at(2, 1_020, 1_040, 2_040, 2_060), // one gap of 1 s later on
  ];
  assert.deepEqual(
    [...stallPerPartition(handled, [0, 1, 2], 1_000, 5_000)],
    [[0, 50], [1, 2_400], [2, 1_000]],
  );
});

Deno.test("stallPerPartition() gives a partition nothing handled after the fault the whole window, and ignores what came after it", () => {
  const handled = [...at(0, 1_200, 9_000), ...at(7, 1_100)];
  assert.deepEqual([...stallPerPartition(handled, [0, 1], 1_000, 4_000)], [[0, 200], [1, 3_000]]);
});

Deno.test("firstAfter() says how long after the replacement was ready each partition moved again", () => {
  const handled = [...at(0, 500, 2_750, 2_700), ...at(1, 2_000, 1_900), ...at(2, 400)]; // in any order
  assert.deepEqual(
    [...firstAfter(handled, [0, 1, 2], 1_000, 2_500)],
    [[0, 200], [1, -600], [2, undefined]],
  );
});

Deno.test("repeatedRecords() counts records handled more than once, by topic, partition and offset", () => {
  const r = (topic: string, partition: number, offset: string) => ({ topic, partition, offset });
  assert.equal(repeatedRecords([r("a", 0, "1"), r("a", 0, "2"), r("a", 1, "1"), r("b", 0, "1")]), 0);
  assert.equal(
    repeatedRecords([r("a", 0, "1"), r("a", 0, "1"), r("a", 0, "1"), r("a", 1, "5"), r("a", 1, "5")]),
    3,
  );
});

Deno.test("formatPerPartition() lists partitions in order and marks the killed member's", () => {
  assert.equal(
    formatPerPartition(new Map([[2, 50], [0, 2_460], [1, undefined]]), [0]),
    "p0 2.5 s*, p1 -, p2 0.1 s",
  );
});
