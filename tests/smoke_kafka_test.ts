import assert from "node:assert/strict";
import { testKafka, uniqueName } from "../support/services.ts";

Deno.test("kafkajs under Deno: a keyed record on a new 3-partition topic comes back through a consumer group", async () => {
  const kafka = testKafka("smoke-kafka");
  const topic = uniqueName("smoke");
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: uniqueName("smoke-group") });
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

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string; partition: number }>((resolve) => {
      consumer.run({
        eachMessage: ({ message, partition }) => {
          resolve({ key: String(message.key), value: String(message.value), partition });
          return Promise.resolve();
        },
      });
    });
    assert.deepEqual(received, { key, value: "hello from deno", partition: sent.partition });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});
