/**
 * support/topic_reader.ts's consumeUntil on the real broker: the one loop the tests, support and scripts read
 * topics with. Its own topic, groups and producer.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createTopics, testKafka, uniqueName } from "../support/services.ts";
import { consumeUntil, deleteTopics, readTopicToEnd } from "../support/topic_reader.ts";

Deno.test({
  name:
    "consumeUntil() keeps what it is told until N records or its condition, and says how many it got in time",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const kafka = testKafka("topic-reader-test");
    const topic = uniqueName("topic-reader");
    await createTopics(kafka, [topic], 1);
    const producer = kafka.producer();
    await producer.connect();
    try {
      const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
      await producer.send({ topic, acks: -1, messages });
      const key = ({ message }: { message: { key: Uint8Array | null } }) => String(message.key);

      await t.step("stops at exactly N kept records, in offset order, though more are there", async () => {
        assert.deepEqual(await consumeUntil(kafka, topic, { keep: key, until: 4 }), ["k0", "k1", "k2", "k3"]);
      });
      await t.step("a record keep() turns into undefined is skipped and not counted", async () => {
        const odd = (record: { message: { key: Uint8Array | null } }) =>
          Number(key(record).slice(1)) % 2 === 1 ? key(record) : undefined;
        assert.deepEqual(await consumeUntil(kafka, topic, { keep: odd, until: 3 }), ["k1", "k3", "k5"]);
      });
      await t.step("a condition ends the read when it holds", async () => {
        const kept = await consumeUntil(kafka, topic, {
          keep: key,
          until: (so) => so[so.length - 1] === "k6",
        });
        assert.deepEqual(kept, ["k0", "k1", "k2", "k3", "k4", "k5", "k6"]);
      });
      await t.step("a condition met before any record reads nothing", async () => {
        assert.deepEqual(await consumeUntil(kafka, topic, { keep: key, until: 0 }), []);
      });
      await t.step(
        "more than the topic holds: what arrived by the timeout, or an error saying so",
        async () => {
          const options = { keep: key, until: 11, timeoutMs: 3_000 };
          assert.equal((await consumeUntil(kafka, topic, options)).length, 10);
          await assert.rejects(
            consumeUntil(kafka, topic, { ...options, onTimeout: "throw" }),
            new RegExp(`^Error: only 10 of 11 records on ${topic} before the time ran out$`),
          );
        },
      );
      await t.step("readTopicToEnd() reads every record the topic holds, with headers", async () => {
        const records = await readTopicToEnd(kafka, topic);
        assert.deepEqual(records.map((r) => r.key), messages.map((m) => m.key));
        assert.deepEqual(records[0].headers, {});
      });
    } finally {
      await producer.disconnect();
      await deleteTopics(kafka, [topic]);
    }
  },
});
