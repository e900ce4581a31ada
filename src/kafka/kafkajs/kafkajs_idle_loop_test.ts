import assert from "node:assert/strict";
import {
  CHECK_PENDING_REQUESTS_INTERVAL_MS,
  type PendingRequestQueue,
  scheduleCheckPendingRequests,
} from "./kafkajs_idle_loop.ts";

/** A queue as kafkajs keeps it, with a setTimeout that records what it was asked for. */
function queue(pending: number, throttledUntil: number) {
  const checks: number[] = [];
  const q: PendingRequestQueue = {
    throttledUntil,
    throttleCheckTimeoutId: null,
    pending: Array.from({ length: pending }),
    checkPendingRequests: () => checks.push(1),
  };
  return { q, checks };
}

Deno.test("an idle, unthrottled kafkajs request queue schedules no check (kafkajs 2.2.4 looped every ms)", () => {
  const { q } = queue(0, -1);
  scheduleCheckPendingRequests.call(q, 1_000);
  assert.equal(q.throttleCheckTimeoutId, null);
});

Deno.test("a queue with requests waiting is checked again after kafkajs's interval", async () => {
  const { q, checks } = queue(2, -1);
  scheduleCheckPendingRequests.call(q, Date.now());
  assert.notEqual(q.throttleCheckTimeoutId, null);
  await new Promise((resolve) => setTimeout(resolve, CHECK_PENDING_REQUESTS_INTERVAL_MS + 20));
  assert.equal(checks.length, 1);
  assert.equal(q.throttleCheckTimeoutId, null);
});

Deno.test("a throttled queue is checked when the throttle ends, pending requests or not", () => {
  const { q } = queue(0, Date.now() + 50);
  scheduleCheckPendingRequests.call(q, Date.now());
  assert.notEqual(q.throttleCheckTimeoutId, null);
  clearTimeout(q.throttleCheckTimeoutId!);
});
