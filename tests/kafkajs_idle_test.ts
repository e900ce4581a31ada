/**
 * chain's kafkajs clients are free of kafkajs 2.2.4's idle timer loop (src/kafka/kafkajs/kafkajs_idle_loop.ts): a
 * connected admin that has answered a request sets (almost) no timers while it waits.
 */
import assert from "node:assert/strict";
import { testKafka } from "../support/services.ts";

Deno.test("a connected, idle kafkajs admin sets no timer loop", async () => {
  const admin = testKafka("idle-test").admin();
  await admin.connect();
  const realSetTimeout = globalThis.setTimeout;
  let timers = 0;
  try {
    await admin.describeCluster();
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      timers++;
      return realSetTimeout(...args);
    }) as typeof setTimeout;
    await new Promise((resolve) => realSetTimeout(resolve, 500));
  } finally {
    globalThis.setTimeout = realSetTimeout;
    await admin.disconnect();
  }
  // kafkajs's own request timeouts and keep-alives are a handful; the loop was one per millisecond.
  assert.ok(timers < 20, `${timers} timers set in 500 ms of idling`);
});
