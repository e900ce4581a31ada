/**
 * The bench's topics: created through support/services.ts and switched to broker append time, filled with
 * preloaded envelopes, and watched until they hold the records a run expects.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type Admin, ConfigResourceTypes, type Kafka } from "kafkajs";
import { createTopics } from "../../support/services.ts";
import { topicCount } from "../../support/topic_reader.ts";
import { sleep } from "./bench_context.ts";

const timestampType = "message.timestamp.type";

/**
 * Creates `names` (3 partitions each) and sets them to LogAppendTime: the broker stamps each record when it
 * appends it, so latencies are append-to-append on one clock. Resolves once the broker reports the setting.
 */
export async function createBenchTopics(kafka: Kafka, admin: Admin, names: string[]): Promise<void> {
  await createTopics(kafka, names, 3);
  const resources = names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name }));
  await admin.alterConfigs({
    validateOnly: false,
    resources: resources.map((r) => ({
      ...r,
      configEntries: [{ name: timestampType, value: "LogAppendTime" }],
    })),
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: resources.map((r) => ({ ...r, configNames: [timestampType] })),
    });
    const applied = described.resources.every((r) =>
      r.configEntries.some((e) => e.configName === timestampType && e.configValue === "LogAppendTime")
    );
    if (applied) return;
    await sleep(100);
  }
  throw new Error(`topics ${names.join(", ")} did not switch to LogAppendTime`);
}

/** Appends `values` (sealed envelopes, keyed by their request_id) to `topic`, 2000 per request, acks=all. */
export async function preload(kafka: Kafka, topic: string, values: Uint8Array[]): Promise<void> {
  // A producer per topic: kafkajs keeps refreshing metadata of every topic a producer ever used, deleted or not.
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 2000) {
      const messages = values.slice(i, i + 2000).map((value) => {
        const json = JSON.parse(new TextDecoder().decode(value));
        return { key: json.request_id as string, value: Buffer.from(value) };
      });
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The outcome of {@link timeArrivals}. */
export interface Arrivals {
  count: number;
  seconds: number;
  /** Records per second from the first arrival to the last (the relay's steady rate). */
  perSecond: number;
  /** Records per second from the relay process's start to the last arrival (start-up, connecting, joining). */
  coldPerSecond: number;
}

/**
 * Polls `topic` until it holds `expected` records. `perSecond` counts from the first arrival to the last (the
 * relay's steady rate); `coldPerSecond` from `startedAt`, the moment the relay process was started, to the last
 * (start-up, connecting and joining included). NaN rates when time runs out.
 */
export async function timeArrivals(
  admin: Admin,
  topic: string,
  expected: number,
  startedAt: number,
  timeoutMs = 600_000,
): Promise<Arrivals> {
  const deadline = Date.now() + timeoutMs;
  let first: { at: number; count: number } | undefined;
  let count = 0;
  while (Date.now() < deadline) {
    count = await topicCount(admin, topic);
    const now = performance.now();
    if (count > 0 && !first) first = { at: now, count };
    if (count >= expected) {
      const span = (now - first!.at) / 1000;
      return {
        count,
        seconds: span,
        perSecond: span > 0 ? (count - first!.count) / span : NaN,
        coldPerSecond: count / ((now - startedAt) / 1000),
      };
    }
    await sleep(20);
  }
  return { count, seconds: NaN, perSecond: NaN, coldPerSecond: NaN };
}
