import assert from "node:assert/strict";
import type { OutRecord } from "../messaging/records.ts";
import { produceRequests } from "./produce_requests.ts";

function records(...valueBytes: number[]): OutRecord[] {
  return valueBytes.map((n) => ({ topic: "t", key: null, value: new Uint8Array(n) }));
}

Deno.test("produceRequests() keeps a send under the limit as one request", () => {
  assert.deepEqual([...produceRequests(records(10, 20, 30), 100)], [[0, 3]]);
});

Deno.test("produceRequests() starts a new request once the bytes so far reach the limit, in order", () => {
  assert.deepEqual([...produceRequests(records(60, 60, 60, 10), 100)], [[0, 2], [2, 4]]);
});

Deno.test("produceRequests() sends a record larger than the limit on its own, never an empty request", () => {
  assert.deepEqual([...produceRequests(records(500, 10), 100)], [[0, 1], [1, 2]]);
  assert.deepEqual([...produceRequests([], 100)], []);
});

Deno.test("produceRequests() counts keys, and a string at 3 bytes per unit", () => {
  const keyed: OutRecord[] = [
    { topic: "t", key: "k".repeat(20), value: "v".repeat(10) }, // 90 bytes counted
    { topic: "t", key: null, value: new Uint8Array(20) },
  ];
  assert.deepEqual([...produceRequests(keyed, 100)], [[0, 2]]);
  assert.deepEqual([...produceRequests(keyed, 90)], [[0, 1], [1, 2]]);
});
