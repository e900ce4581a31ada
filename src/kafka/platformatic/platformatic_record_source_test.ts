import assert from "node:assert/strict";
import {
  consumerRestartDelay,
  MAX_CONSUMER_RESTARTS,
  shouldRestartConsumer,
} from "./platformatic_record_source.ts";

Deno.test("shouldRestartConsumer() replaces only a consumer that had joined, while the role runs, a bounded number of times", () => {
  assert.equal(shouldRestartConsumer({ joined: true, restarts: 0, aborted: false }), true);
  assert.equal(shouldRestartConsumer({ joined: false, restarts: 0, aborted: false }), false, "topic missing");
  assert.equal(shouldRestartConsumer({ joined: true, restarts: 0, aborted: true }), false, "stopping");
  assert.equal(
    shouldRestartConsumer({ joined: true, restarts: MAX_CONSUMER_RESTARTS - 1, aborted: false }),
    true,
  );
  assert.equal(
    shouldRestartConsumer({ joined: true, restarts: MAX_CONSUMER_RESTARTS, aborted: false }),
    false,
  );
});

Deno.test("consumerRestartDelay() waits 1 s, doubling, at most 16 s", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(consumerRestartDelay), [
    1_000,
    2_000,
    4_000,
    8_000,
    16_000,
    16_000,
  ]);
});
