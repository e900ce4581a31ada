/**
 * The kafkajs adapters on the real broker: the sink splits what the broker would refuse as one batch, and the
 * source commits only what its handler finished, so a failed batch comes again.
 */
import assert from "node:assert/strict";
import { KafkaRecordSink } from "../src/kafka/kafka_record_sink.ts";
import { KafkaRecordSource } from "../src/kafka/kafka_record_source.ts";
import { ensureTopics } from "../src/kafka/topics.ts";
import type { RecordBatch } from "../src/messaging/records.ts";
import { testKafka, uniqueName } from "../support/services.ts";

const kafka = testKafka("adapters-test");

Deno.test({
  name: "KafkaRecordSink sends 3 MiB for one partition, more than one broker batch, and every record arrives",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topic = uniqueName("sink");
    const admin = kafka.admin();
    await admin.connect();
    const sink = await KafkaRecordSink.connect(kafka);
    try {
      await ensureTopics(admin, [topic], 3, 1);
      assert.deepEqual(await ensureTopics(admin, [topic], 3, 1), [], "an existing topic is left alone");
      const value = new Uint8Array(1024).fill(65);
      await sink.send(Array.from({ length: 3072 }, () => ({ topic, key: "same-key", value })));
      const offsets = await admin.fetchTopicOffsets(topic);
      assert.equal(offsets.reduce((sum, p) => sum + Number(p.high), 0), 3072);
      assert.equal(offsets.filter((p) => Number(p.high) > 0).length, 1, "one key, one partition");
    } finally {
      await sink.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  },
});

Deno.test({
  name: "KafkaRecordSource hands a failed batch again, commits finished ones, and stops when aborted",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topic = uniqueName("source");
    const groupId = uniqueName("source-group");
    const admin = kafka.admin();
    await admin.connect();
    const sink = await KafkaRecordSink.connect(kafka);
    try {
      await ensureTopics(admin, [topic], 1, 1);
      await sink.send(Array.from({ length: 10 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })));
      const seen: string[] = [];
      let failures = 0;
      const controller = new AbortController();
      const source = new KafkaRecordSource(kafka, { groupId, topic, concurrency: 1 });
      await source.run((batch: RecordBatch) => {
        if (failures === 0) {
          failures++;
          return Promise.reject(new Error("first attempt fails"));
        }
        seen.push(...batch.records.map((r) => new TextDecoder().decode(r.value!)));
        if (seen.length >= 10) controller.abort();
        return Promise.resolve();
      }, controller.signal);
      assert.equal(failures, 1);
      assert.deepEqual(
        seen,
        Array.from({ length: 10 }, (_, i) => `v${i}`),
        "every record once after the retry",
      );
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      assert.equal(committed[0].partitions[0].offset, "10");
    } finally {
      await sink.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  },
});
