import assert from "node:assert/strict";
import {
  evaluatePartition,
  evaluateTopic,
  type PartitionSample,
  partitionStatus,
  type PartitionWindow,
  sampleLag,
} from "./lag_status.ts";

const T0 = 1_700_000_000_000;

/** A window of samples one second apart from `[committed, logEnd]` pairs (log start 0). */
function window(
  pairs: [number | null, number][],
  options: { owned?: boolean; partition?: number; oldest?: number } = {},
): PartitionWindow {
  const samples: PartitionSample[] = pairs.map(([committed, logEnd], i) => ({
    at: T0 + i * 1000,
    committed,
    logStart: 0,
    logEnd,
  }));
  return {
    partition: options.partition ?? 0,
    samples,
    owned: options.owned ?? true,
    oldestUnconsumedTimestamp: options.oldest,
  };
}

Deno.test("sampleLag() is log end minus the committed offset, the log start without a commit, never negative", () => {
  assert.equal(sampleLag({ at: 0, committed: 40, logStart: 0, logEnd: 100 }), 60);
  assert.equal(sampleLag({ at: 0, committed: null, logStart: 10, logEnd: 100 }), 90);
  assert.equal(
    sampleLag({ at: 0, committed: 5, logStart: 10, logEnd: 100 }),
    90,
    "deleted records are not lag",
  );
  assert.equal(sampleLag({ at: 0, committed: 100, logStart: 0, logEnd: 100 }), 0);
});

Deno.test("OK: lag 0 at any sample, even with no member", () => {
  assert.equal(partitionStatus(window([[10, 10], [10, 15], [10, 20]], { owned: false })), "OK");
  assert.equal(partitionStatus(window([[5, 20], [20, 20]])), "OK");
});

Deno.test("OK: the committed offset advances and the lag does not grow", () => {
  assert.equal(partitionStatus(window([[10, 50], [20, 55], [30, 58]])), "OK", "shrinking");
  assert.equal(partitionStatus(window([[10, 50], [20, 60], [30, 70]])), "OK", "flat: keeping pace");
  assert.equal(partitionStatus(window([[10, 50], [20, 70], [40, 75]])), "OK", "grew, then shrank");
});

Deno.test("FALLING_BEHIND: the committed offset advances but the lag grows across the window", () => {
  assert.equal(partitionStatus(window([[10, 50], [20, 70], [30, 90]])), "FALLING_BEHIND");
  assert.equal(partitionStatus(window([[10, 50], [20, 60], [30, 75]])), "FALLING_BEHIND", "flat, then up");
  assert.equal(partitionStatus(window([[10, 50], [30, 80]])), "FALLING_BEHIND", "two samples");
});

Deno.test("STALLED: a member holds the partition, the committed offset does not move, and there is lag", () => {
  assert.equal(partitionStatus(window([[10, 50], [10, 50], [10, 50]])), "STALLED");
  assert.equal(partitionStatus(window([[10, 50], [10, 60], [10, 70]])), "STALLED", "lag growing");
  assert.equal(partitionStatus(window([[null, 50], [null, 50]])), "STALLED", "never committed");
  assert.equal(partitionStatus(window([[30, 50], [20, 50], [25, 50]])), "STALLED", "rewound");
});

Deno.test("STOPPED: no member holds the partition while there is lag", () => {
  assert.equal(partitionStatus(window([[10, 50], [10, 50]], { owned: false })), "STOPPED");
  assert.equal(partitionStatus(window([[null, 50]], { owned: false })), "STOPPED");
});

Deno.test("lag seconds: the oldest unconsumed record's age when it was read", () => {
  const now = T0 + 2000;
  const p = evaluatePartition(window([[10, 50], [10, 50], [10, 50]], { oldest: now - 42_000 }), now);
  assert.deepEqual(p, { partition: 0, lag: 40, status: "STALLED", lagSeconds: 42, lagSecondsFrom: "record" });
});

Deno.test("lag seconds: else the lag over the consumption rate, when the position advanced", () => {
  // 20 records in 2 s = 10/s; 40 left → 4 s.
  const p = evaluatePartition(window([[10, 70], [20, 70], [30, 70]]), T0 + 2000);
  assert.equal(p.lagSeconds, 4);
  assert.equal(p.lagSecondsFrom, "rate");
  const stuck = evaluatePartition(window([[10, 70], [10, 70]]), T0 + 1000);
  assert.equal(stuck.lagSeconds, null);
  assert.equal(stuck.lagSecondsFrom, null);
  const none = evaluatePartition(window([[70, 70], [70, 70]]), T0 + 1000);
  assert.equal(none.lagSeconds, 0);
});

Deno.test("evaluateTopic() sums the lag, names the worst partition and takes the worst status", () => {
  const now = T0 + 2000;
  const topic = evaluateTopic("g", "t", [
    window([[5, 5], [5, 5], [5, 5]], { partition: 2 }),
    window([[10, 50], [10, 50], [10, 50]], { partition: 0, oldest: now - 9000 }),
    window([[0, 30], [20, 40], [40, 45]], { partition: 1 }),
  ], now);
  assert.equal(topic.partitions, 3);
  assert.equal(topic.totalLag, 40 + 5 + 0);
  assert.deepEqual(topic.worst, { partition: 0, lag: 40 });
  assert.equal(topic.status, "STALLED");
  assert.equal(topic.lagSeconds, 9);
  assert.equal(topic.lagSecondsFrom, "record");
  assert.deepEqual(topic.byPartition.map((p) => [p.partition, p.status]), [[0, "STALLED"], [1, "OK"], [
    2,
    "OK",
  ]]);
});

Deno.test("evaluateTopic(): no lag is OK with 0 seconds; STOPPED outranks STALLED and FALLING_BEHIND", () => {
  const calm = evaluateTopic(
    "g",
    "t",
    [window([[3, 3], [3, 3]]), window([[7, 7], [7, 7]], { partition: 1 })],
    T0,
  );
  assert.equal(calm.status, "OK");
  assert.equal(calm.totalLag, 0);
  assert.equal(calm.lagSeconds, 0);
  const mixed = evaluateTopic("g", "t", [
    window([[10, 50], [20, 70]], { partition: 0 }),
    window([[1, 9], [1, 9]], { partition: 1, owned: false }),
    window([[1, 9], [1, 9]], { partition: 2 }),
  ], T0 + 1000);
  assert.equal(mixed.status, "STOPPED");
});
