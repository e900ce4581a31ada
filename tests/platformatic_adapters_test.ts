/**
 * The @platformatic/kafka adapters on the real broker: the suite every pair of Kafka adapters passes
 * (support/kafka_adapter_suite.ts), then what is the platformatic adapters' own: the Java client's partition for
 * each key, members sharing a group through a rebalance, and a missing topic ending run(). Each test has its own
 * topic and consumer group and deletes them.
 */
import assert from "node:assert/strict";
import { Partitioners } from "kafkajs";
import { createLogger } from "../src/logging/pino_logger.ts";
import { ensureTopics } from "../src/kafka/topics.ts";
import { createPlatformaticKafka } from "../src/kafka/platformatic/platformatic_client.ts";
import { PlatformaticRecordSink } from "../src/kafka/platformatic/platformatic_record_sink.ts";
import { PlatformaticRecordSource } from "../src/kafka/platformatic/platformatic_record_source.ts";
import type { RecordBatch } from "../src/messaging/records.ts";
import { kafkaAdapterSuite, readTopic } from "../support/kafka_adapter_suite.ts";
import { serviceAddresses, testKafka, uniqueName } from "../support/services.ts";

const kafka = testKafka("platformatic-adapters-test");
const platformatic = () =>
  createPlatformaticKafka(
    { brokers: serviceAddresses().brokers, clientId: "platformatic-adapters-test" },
    createLogger("error", { role: "platformatic-adapters-test" }),
  );

kafkaAdapterSuite(kafka, {
  sinkName: "PlatformaticRecordSink",
  sourceName: "PlatformaticRecordSource",
  connectSink: () => PlatformaticRecordSink.connect(platformatic()),
  source: (options) => new PlatformaticRecordSource(platformatic(), options),
});

Deno.test({
  name:
    "PlatformaticRecordSink puts each key on the partition kafkajs's (the Java client's) partitioner chooses",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topic = uniqueName("partitions");
    const admin = kafka.admin();
    await admin.connect();
    const sink = await PlatformaticRecordSink.connect(platformatic());
    try {
      await ensureTopics(admin, [topic], 3, 1);
      const keys = Array.from({ length: 60 }, (_, i) => `${crypto.randomUUID()}-${i}`);
      await sink.send(keys.map((key) => ({ topic, key, value: key })));
      const partitioner = Partitioners.DefaultPartitioner();
      const partitionMetadata = [0, 1, 2].map((partitionId) => ({
        partitionId,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      const read = await readTopic(kafka, topic, keys.length);
      for (const r of read) {
        const key = new TextDecoder().decode(r.key!);
        assert.equal(
          r.partition,
          partitioner({ topic, partitionMetadata, message: { key, value: key } }),
          key,
        );
      }
      assert.equal(new Set(read.map((r) => r.partition)).size, 3, "the keys spread over every partition");
    } finally {
      await sink.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  },
});

Deno.test({
  name:
    "PlatformaticRecordSource members share a group: a second member takes partitions over, nothing is lost",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topic = uniqueName("rebalance");
    const groupId = uniqueName("rebalance-group");
    const admin = kafka.admin();
    await admin.connect();
    const sink = await PlatformaticRecordSink.connect(platformatic());
    try {
      await ensureTopics(admin, [topic], 4, 1);
      const total = 400;
      const value = (i: number) => `v${i}`;
      await sink.send(
        Array.from({ length: total / 2 }, (_, i) => ({ topic, key: `k${i}`, value: value(i) })),
      );
      const handled = new Set<string>();
      const byMember: Record<string, Set<number>> = { a: new Set(), b: new Set() };
      const controller = new AbortController();
      let startB!: () => void;
      const bStarts = new Promise<void>((resolve) => startB = resolve);
      const handler = (member: string) => async (batch: RecordBatch) => {
        const offsets = batch.records.map((r) => BigInt(r.offset));
        assert.ok(offsets.every((o, i) => i === 0 || o > offsets[i - 1]), "a batch is in offset order");
        for (const r of batch.records) handled.add(new TextDecoder().decode(r.value!));
        byMember[member].add(batch.partition);
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (handled.size >= total / 4) startB();
        if (handled.size >= total && byMember.b.size > 0) controller.abort();
      };
      const a = new PlatformaticRecordSource(platformatic(), { groupId, topic, concurrency: 2 })
        .run(handler("a"), controller.signal);
      await bStarts;
      const b = new PlatformaticRecordSource(platformatic(), { groupId, topic, concurrency: 2 })
        .run(handler("b"), controller.signal);
      // More records while the group rebalances and after.
      for (let i = total / 2; i < total; i += 20) {
        await sink.send(
          Array.from({ length: 20 }, (_, j) => ({ topic, key: `k${i + j}`, value: value(i + j) })),
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const timer = setTimeout(() => controller.abort(), 60_000);
      await Promise.all([a, b]);
      clearTimeout(timer);
      assert.equal(handled.size, total, "every record handled");
      assert.ok(byMember.b.size > 0, "the second member got partitions");
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const ends = await admin.fetchTopicOffsets(topic);
      assert.deepEqual(
        committed[0].partitions.map((p) => [p.partition, p.offset]).sort(),
        ends.map((p) => [p.partition, p.high]).sort(),
        "every partition committed to its end",
      );
    } finally {
      await sink.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    }
  },
});

Deno.test({
  name: "PlatformaticRecordSource.run() rejects when the consumer cannot go on (its topic does not exist)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const source = new PlatformaticRecordSource(platformatic(), {
      groupId: uniqueName("missing-group"),
      topic: uniqueName("missing"),
      concurrency: 1,
    });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 60_000);
    try {
      await assert.rejects(source.run(() => Promise.resolve(), controller.signal));
      assert.equal(controller.signal.aborted, false, "it failed by itself, not by the test's timeout");
    } finally {
      clearTimeout(timer);
    }
  },
});

Deno.test({
  name:
    "PlatformaticRecordSource in key order: a slow record holds up its own key, not the partition, and the commit stays below it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topic = uniqueName("keyed");
    const groupId = uniqueName("keyed-group");
    const admin = kafka.admin();
    await admin.connect();
    const sink = await PlatformaticRecordSink.connect(platformatic());
    const stop = new AbortController();
    try {
      await ensureTopics(admin, [topic], 1, 1);
      // One partition: "slow" first, then records of other keys, then slow's second record.
      await sink.send([
        { topic, key: "slow", value: "slow-1" },
        ...Array.from({ length: 5 }, (_, i) => ({ topic, key: `fast-${i}`, value: `fast-${i}` })),
        { topic, key: "slow", value: "slow-2" },
      ]);
      let release: () => void = () => {};
      const slowHeld = new Promise<void>((resolve) => release = resolve);
      const handled: string[] = [];
      let allFast: () => void = () => {};
      const fastDone = new Promise<void>((resolve) => allFast = resolve);
      const source = new PlatformaticRecordSource(platformatic(), {
        topic,
        groupId,
        concurrency: 1,
        ordering: "key",
        maxInFlight: 16,
      });
      const running = source.run(async (batch: RecordBatch) => {
        const values = batch.records.map((r) => new TextDecoder().decode(r.value!));
        if (values.includes("slow-1")) await slowHeld;
        handled.push(...values);
        if (handled.filter((v) => v.startsWith("fast-")).length === 5) allFast();
      }, stop.signal);
      const timedOut = await Promise.race([
        fastDone.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 15_000)),
      ]);
      assert.equal(
        timedOut,
        false,
        `only ${handled.join(", ") || "nothing"} handled while slow-1 was in hand`,
      );
      assert.ok(!handled.includes("slow-1"), "the fast keys were handled while slow-1 was in hand");
      assert.ok(!handled.includes("slow-2"), "slow's second record waits for its first");
      // Nothing may be committed past the slow record still in hand (offset 0).
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset;
      assert.ok(Number(before) <= 0, `committed ${before} while offset 0 is in hand`);
      release();
      const deadline = Date.now() + 20_000;
      while (!handled.includes("slow-2") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(
        handled.filter((v) => v.startsWith("slow")),
        ["slow-1", "slow-2"],
        "slow in its order",
      );
      stop.abort();
      await running;
      const after = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset;
      assert.equal(after, "7", "all seven done and committed at the stop");
    } finally {
      stop.abort();
      await sink.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  },
});
