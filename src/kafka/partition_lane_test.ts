import assert from "node:assert/strict";
import { PartitionLane } from "./partition_lane.ts";

interface R {
  offset: number;
  key: string;
}
const r = (offset: number, key = `k${offset}`): R => ({ offset, key });
const offsets = (records: readonly R[] | undefined) => records?.map((x) => x.offset);

Deno.test("partition ordering hands one batch at a time, every record queued, and commits after it", () => {
  const lane = new PartitionLane<R>(0, "partition");
  lane.push(r(0));
  lane.push(r(1));
  const first = lane.take()!;
  assert.deepEqual(offsets(first.records), [0, 1]);
  lane.push(r(2));
  assert.equal(lane.take(), undefined, "nothing while a batch is in hand");
  assert.equal(lane.finish(first)?.offset, 1);
  const second = lane.take()!;
  assert.deepEqual(offsets(second.records), [2]);
  assert.equal(lane.finish(second)?.offset, 2);
});

Deno.test("key ordering hands other keys while one is in hand, a key's records in offset order", () => {
  const lane = new PartitionLane<R>(0, "key", (x) => x.key);
  lane.push(r(0, "a"));
  lane.push(r(1, "b"));
  const first = lane.take()!;
  assert.deepEqual(offsets(first.records), [0, 1]);
  lane.push(r(2, "a"));
  lane.push(r(3, "c"));
  lane.push(r(4, "a"));
  const second = lane.take()!;
  assert.deepEqual(offsets(second.records), [3], "a waits for its batch in hand; c goes");
  assert.equal(lane.take(), undefined);
  lane.finish(first);
  const third = lane.take()!;
  assert.deepEqual(offsets(third.records), [2, 4], "both of a's records, in order, in one batch");
});

Deno.test("key ordering commits up to the highest record below which every record is done", () => {
  const lane = new PartitionLane<R>(0, "key", (x) => x.key);
  for (let i = 0; i < 4; i++) lane.push(r(i));
  const slow = lane.take(1)!;
  const rest = lane.take()!;
  assert.deepEqual(offsets(slow.records), [0]);
  assert.deepEqual(offsets(rest.records), [1, 2, 3]);
  assert.equal(lane.finish(rest), undefined, "offset 0 is still in hand: nothing may be committed");
  assert.equal(lane.finish(slow)?.offset, 3, "with 0 done, everything up to 3 is");
});

Deno.test("take() hands at most the limit, oldest first", () => {
  const lane = new PartitionLane<R>(0, "key", (x) => x.key);
  for (let i = 0; i < 5; i++) lane.push(r(i));
  assert.deepEqual(offsets(lane.take(2)?.records), [0, 1]);
  assert.deepEqual(offsets(lane.take(2)?.records), [2, 3]);
  assert.equal(lane.inHand, 4);
  assert.equal(lane.queued, 1);
  assert.equal(lane.take(0), undefined);
});

Deno.test("a revoked lane drops what is queued, and its batches in hand commit nothing", () => {
  const lane = new PartitionLane<R>(0, "key", (x) => x.key);
  lane.push(r(0, "a"));
  const batch = lane.take()!;
  lane.push(r(1, "a"));
  lane.revoke();
  assert.equal(lane.queued, 0);
  assert.equal(lane.finish(batch), undefined);
  assert.equal(lane.inHand, 0);
  lane.push(r(5, "a"));
  assert.deepEqual(offsets(lane.take()?.records), [5], "the key is free again after the revocation");
});

Deno.test("an abandoned batch frees its key but is not done: nothing after it is committed", () => {
  const lane = new PartitionLane<R>(0, "key", (x) => x.key);
  lane.push(r(0, "a"));
  lane.push(r(1, "b"));
  const a = lane.take(1)!;
  const b = lane.take()!;
  lane.abandon(a);
  assert.equal(lane.finish(b), undefined);
  assert.equal(lane.batches, 0);
});
