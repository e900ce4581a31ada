import assert from "node:assert/strict";
import { testKafka, uniqueName } from "../support/services.ts";
import { consumeUntil } from "../support/topic_reader.ts";

Deno.test("kafkajs under Deno: a keyed record on a new 3-partition topic comes back through a consumer group", async () => {
  const kafka = testKafka("smoke-kafka");
  const topic = uniqueName("smoke");
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  try {
    assert.equal(
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }),
      true,
    );
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(metadata.topics[0].partitions.length, 3);

    await producer.connect();
    const key = crypto.randomUUID();
    const [sent] = await producer.send({ topic, acks: -1, messages: [{ key, value: "hello from deno" }] });
    assert.equal(sent.errorCode, 0);

    const received = await consumeUntil(kafka, topic, {
      groupId: uniqueName("smoke-group"),
      until: 1,
      timeoutMs: 60_000,
      onTimeout: "throw",
      keep: ({ message, partition }) => ({
        key: String(message.key),
        value: String(message.value),
        partition,
      }),
    });
    assert.deepEqual(received, [{ key, value: "hello from deno", partition: sent.partition }]);
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});
