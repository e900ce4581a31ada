/**
 * The routes topic on Kafka (`chain-routes`: one partition, `cleanup.policy=compact`, key = worker name, value =
 * the route as JSON, a null value = delete): creating it, reading it to its end and then following it into a
 * {@link LiveRouteRegistry}, and publishing changes.
 *
 * kafkajs reads only through a consumer group, so each follower joins a group of its own (`<prefix>-<random>`),
 * reads from the beginning and never commits: the group holds no offsets and vanishes when the follower leaves.
 * Every command center therefore sees every change, whatever group its inbox consumer is in.
 *
 * @module
 */
import { type Admin, type Consumer, type Kafka, Partitioners } from "kafkajs";
import type { Logger } from "../logging/logger.ts";
import type { Route } from "../routing/route_registry.ts";
import {
  type ApplyResult,
  decodeRouteRecord,
  encodeRoute,
  LiveRouteRegistry,
  type RouteChange,
} from "../routing/live_route_registry.ts";

/**
 * Creates the routes topic when it is missing: one partition (one order of changes), compacted (the last record
 * per worker is kept forever).
 *
 * @returns whether it was created.
 */
export async function ensureRouteTopic(
  admin: Admin,
  topic: string,
  replicationFactor: number,
): Promise<boolean> {
  if ((await admin.listTopics()).includes(topic)) {
    // Changes are ordered by being on one partition; a topic made by hand with more would scatter them.
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) {
      throw new Error(`routes topic ${topic} has ${partitions} partitions; it must have exactly one`);
    }
    return false;
  }
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{
        topic,
        numPartitions: 1,
        replicationFactor,
        configEntries: [{ name: "cleanup.policy", value: "compact" }],
      }],
    });
    return true;
  } catch (error) {
    // Another process may have created it at the same moment.
    if ((await admin.listTopics()).includes(topic)) return false;
    throw error;
  }
}

/** Where a follower reads and what it reports to. */
export interface RouteTopicOptions {
  topic: string;
  /** The follower's group is `<groupPrefix>-<random>`. */
  groupPrefix: string;
  /** Called for every record applied after the follower reached the end it found at start. */
  onChange?: (result: ApplyResult) => void;
  logger?: Logger;
}

/**
 * Reads the routes topic into `registry` to its end, then keeps following it. {@link start} resolves once
 * everything that was on the topic when it started is applied.
 */
export class RouteTopicFollower {
  readonly #kafka: Kafka;
  readonly #registry: LiveRouteRegistry;
  readonly #options: RouteTopicOptions;
  #consumer: Consumer | undefined;
  #caughtUp = false;

  constructor(kafka: Kafka, registry: LiveRouteRegistry, options: RouteTopicOptions) {
    this.#kafka = kafka;
    this.#registry = registry;
    this.#options = options;
  }

  /** True once the follower has read the topic to the end it found at start. */
  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  /** Starts following; resolves when caught up, rejects if that takes longer than `timeoutMs`. */
  async start(timeoutMs = 60_000): Promise<void> {
    const { topic } = this.#options;
    const end = await endOffset(this.#kafka, topic);
    const consumer = this.#kafka.consumer({
      groupId: `${this.#options.groupPrefix}-${crypto.randomUUID().slice(0, 8)}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 500,
    });
    this.#consumer = consumer;
    const reached = Promise.withResolvers<void>();
    if (end.high <= end.low) {
      this.#caughtUp = true;
      reached.resolve();
    }
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        for (const message of batch.messages) {
          const result = this.#apply(message.key, message.value);
          if (this.#caughtUp) this.#options.onChange?.(result);
          else if (result.kind === "rejected") this.#options.onChange?.(result);
        }
        if (!this.#caughtUp && BigInt(batch.lastOffset()) + 1n >= end.high) {
          this.#caughtUp = true;
          reached.resolve();
        }
        await heartbeat();
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`could not read routes topic ${topic} to its end in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([reached.promise, timeout]);
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #apply(key: Uint8Array | null, value: Uint8Array | null): ApplyResult {
    let change: RouteChange;
    try {
      change = decodeRouteRecord(key, value, this.#options.topic);
    } catch (error) {
      const workerName = key === null ? "" : new TextDecoder().decode(key);
      return this.#registry.apply({ workerName, error: error as Error });
    }
    return this.#registry.apply(change);
  }

  /** Stops following. */
  async stop(): Promise<void> {
    const consumer = this.#consumer;
    this.#consumer = undefined;
    await consumer?.disconnect();
  }
}

/** The partition's first and next offset (`low`, `high`); the topic must have been created. */
async function endOffset(kafka: Kafka, topic: string): Promise<{ low: bigint; high: bigint }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [partition] = await admin.fetchTopicOffsets(topic);
    if (partition === undefined) throw new Error(`routes topic ${topic} has no partitions`);
    return { low: BigInt(partition.low), high: BigInt(partition.high) };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the whole routes topic once and returns the registry it describes (for `chain routes` and `init`).
 * Records that break a rule are left out, as a command center leaves them out.
 */
export async function readRouteTopic(
  kafka: Kafka,
  registry: LiveRouteRegistry,
  options: Omit<RouteTopicOptions, "onChange">,
  timeoutMs = 60_000,
): Promise<LiveRouteRegistry> {
  const follower = new RouteTopicFollower(kafka, registry, options);
  await follower.start(timeoutMs);
  await follower.stop();
  return registry;
}

/** Where a published change landed. */
export interface Published {
  partition: number;
  offset: string;
}

/**
 * Publishes route changes, in order, with `acks=all`: key = worker name, value = the route's JSON, or null for
 * a deletion (a tombstone).
 */
export async function publishRouteChanges(
  kafka: Kafka,
  topic: string,
  changes: readonly { workerName: string; route: Route | null }[],
): Promise<Published[]> {
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    const acks = await producer.send({
      topic,
      acks: -1,
      messages: changes.map((c) => ({
        key: c.workerName,
        value: c.route === null ? null : encodeRoute(c.route),
      })),
    });
    const first = acks[0];
    // One partition and one request: the records got consecutive offsets from the base offset.
    return changes.map((_, i) => ({
      partition: first?.partition ?? 0,
      offset: String(BigInt(first?.baseOffset ?? first?.offset ?? "0") + BigInt(i)),
    }));
  } finally {
    await producer.disconnect();
  }
}
