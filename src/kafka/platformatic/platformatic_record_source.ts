/**
 * {@link RecordSource} over a @platformatic/kafka consumer: a group member (cooperative-sticky assignment, 6 s
 * session) whose message stream feeds one small queue per partition; each partition's queue goes to the handler
 * one batch at a time, partitions in parallel up to `concurrency`. Offsets are committed after the handler,
 * asynchronously: the stream's commits are coalesced per partition and single-flight, so the next fetch and the
 * next batch never wait for a commit round trip. What is pending is committed before partitions are revoked (the
 * library flushes it ahead of a cooperative revocation) and before `run()` resolves.
 *
 * @module
 */
import { Consumer, type Message, type MessagesStream } from "@platformatic/kafka";
import type { Buffer } from "node:buffer";
import type { InRecord, RecordBatch, RecordSource } from "../../messaging/records.ts";
import { HEARTBEAT_INTERVAL_MS, SESSION_TIMEOUT_MS, type SourceOptions } from "../kafka_record_source.ts";
import { observeConsumer, type PlatformaticKafka } from "./platformatic_client.ts";
import { ConsumerContact } from "../consumer_contact.ts";
import { waitOrAbort } from "../../failure/retry_policy.ts";

export { HEARTBEAT_INTERVAL_MS, SESSION_TIMEOUT_MS, type SourceOptions };

/** How long the group waits for members to rejoin during a rebalance. */
export const REBALANCE_TIMEOUT_MS = 30_000;
/** The longest a fetch waits on the broker for a first record (it answers at once when records are there). */
export const MAX_WAIT_MS = 250;
/** Bytes one fetch response may carry, over all partitions, and per partition. */
export const FETCH_MAX_BYTES = 1_048_576;
export const FETCH_MAX_PARTITION_BYTES = 524_288;
/** Records the library's stream holds before it stops fetching. */
export const STREAM_HIGH_WATER_MARK = 256;
/** Records (and their bytes) fetched but not yet handed, over all partitions: above either, fetching pauses. */
export const MAX_BUFFERED_RECORDS = 4_000;
export const MAX_BUFFERED_BYTES = 4 * 1_048_576;
/** First wait before a failed batch is handed again; it doubles per failure up to {@link MAX_RETRY_BACKOFF_MS}. */
export const FIRST_RETRY_BACKOFF_MS = 200;
export const MAX_RETRY_BACKOFF_MS = 10_000;
/** How long `run()` waits at its end for the last commits to be acknowledged. */
export const FINAL_COMMIT_TIMEOUT_MS = 15_000;

/** The longest closing the stream, and then leaving the group, may take at the end of `run()`. */
export const CLOSE_TIMEOUT_MS = 10_000;

/** Waits for `step` at most `ms`, logging (not throwing) a failure or a timeout. */
async function within(
  step: Promise<unknown> | undefined,
  ms: number,
  what: string,
  topic: string,
  logger: PlatformaticKafka["logger"],
): Promise<void> {
  if (!step) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), ms));
  try {
    const outcome = await Promise.race([step.then(() => "done" as const), timeout]);
    if (outcome === "timeout") logger.warn({ topic, timeoutMs: ms }, `${what} did not finish in time`);
  } catch (error) {
    logger.warn({ topic, error: String(error) }, `${what} failed`);
  } finally {
    clearTimeout(timer);
  }
}

type Record_ = Message<Buffer, Buffer, string, string>;

/** The wait before handing a batch again after its `failures`-th failure. */
export function retryBackoff(failures: number): number {
  return Math.min(FIRST_RETRY_BACKOFF_MS * 2 ** Math.max(0, failures - 1), MAX_RETRY_BACKOFF_MS);
}

const headerDeserializer = (data?: Buffer) => data === undefined ? undefined : data.toString("utf8");

function toInRecord(m: Record_): InRecord {
  const headers: Record<string, string | undefined> = {};
  // Like the kafkajs source: a header repeated under one name gives its first value.
  for (const [name, value] of m.headerEntries) if (!(name in headers)) headers[name] = value;
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset.toString(),
    key: m.key ?? null,
    value: m.value ?? null,
    headers,
    timestamp: Number(m.timestamp),
  };
}

/** The consumer generation the library stamped on a record when it took it from a fetch response. */
function generation(m: Record_): number {
  return (m.metadata.consumer as { generationId?: number } | undefined)?.generationId ??
    Number.MAX_SAFE_INTEGER;
}

function recordBytes(m: Record_): number {
  return (m.key?.byteLength ?? 0) + (m.value?.byteLength ?? 0);
}

/** One assigned partition's records between the stream and the handler. */
interface Lane {
  readonly partition: number;
  /** Fetched, not yet handed, in offset order. */
  queue: Record_[];
  /** The offset after the last record queued: a record below it is a refetch of one already taken. */
  next: bigint | undefined;
  /** Records stamped with an older consumer generation predate the partition's (re)assignment: stale. */
  minGeneration: number;
  /** Changes whenever the partition is revoked: a batch taken before must not be committed or retried. */
  epoch: number;
  /** A batch of this partition is with the handler or waiting to be handed again. */
  busy: boolean;
  assigned: boolean;
}

/** How many times {@link PlatformaticRecordSource.run} replaces a consumer that failed after joining. */
export const MAX_CONSUMER_RESTARTS = 5;

/** The wait before the `restart`-th new consumer: 1 s doubling, at most 16 s. */
export function consumerRestartDelay(restart: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, restart - 1), 16_000);
}

/**
 * Whether a consumer that failed is replaced: only one that had joined its group (so its topic and group work),
 * while the role is not stopping and fewer than {@link MAX_CONSUMER_RESTARTS} were replaced before.
 */
export function shouldRestartConsumer(
  failed: { joined: boolean; restarts: number; aborted: boolean },
): boolean {
  return failed.joined && !failed.aborted && failed.restarts < MAX_CONSUMER_RESTARTS;
}

/** Consumes one topic in a consumer group; see {@link RecordSource} for the commit contract. */
export class PlatformaticRecordSource implements RecordSource {
  readonly #kafka: PlatformaticKafka;
  readonly #options: SourceOptions;

  readonly #contact: ConsumerContact;

  constructor(kafka: PlatformaticKafka, options: SourceOptions) {
    this.#kafka = kafka;
    this.#options = options;
    this.#contact = new ConsumerContact(options.groupId, "heartbeat or record");
  }

  /** Undefined while the consumer is in its group and heard from Kafka lately; otherwise what is missing. */
  health(): string | undefined {
    return this.#contact.health();
  }

  /**
   * Consumes until `signal` aborts. A consumer that fails after it had joined its group (it could not rejoin
   * after a broker pause, say) is replaced by a new one, from the group's committed offsets, up to
   * {@link MAX_CONSUMER_RESTARTS} times with a growing wait; one that never joined (its topic is missing) or
   * fails again after that ends `run()` with its error, for the role's supervisor.
   */
  async run(handler: (batch: RecordBatch) => Promise<void>, signal: AbortSignal): Promise<void> {
    for (let restarts = 0;; restarts++) {
      let joined = false;
      try {
        await this.#runOnce(handler, signal, () => joined = true);
        return;
      } catch (error) {
        if (!shouldRestartConsumer({ joined, restarts, aborted: signal.aborted })) throw error;
        const waitMs = consumerRestartDelay(restarts + 1);
        this.#kafka.logger.warn(
          { topic: this.#options.topic, error: String(error), restart: restarts + 1, waitMs },
          "consumer failed after it had joined its group; starting a new one",
        );
        await waitOrAbort(waitMs, signal);
        if (signal.aborted) return;
      }
    }
  }

  async #runOnce(
    handler: (batch: RecordBatch) => Promise<void>,
    signal: AbortSignal,
    onJoin: () => void,
  ): Promise<void> {
    if (signal.aborted) return;
    const { topic, groupId } = this.#options;
    const concurrency = Math.max(1, this.#options.concurrency);
    const logger = this.#kafka.logger;
    const consumer = new Consumer<Buffer, Buffer, string, string>({
      ...this.#kafka.options,
      groupId,
      // A member that dies is noticed after the session timeout and its partitions go to the others: 6 s (the
      // broker's group.min.session.timeout.ms) keeps takeover within 10 s. The library heartbeats on its own
      // timer, so a slow batch does not make a live member look dead.
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
      // Cooperative: a rebalance takes from a member only the partitions that move, after committing what is
      // pending for them; the other partitions keep flowing.
      protocols: [{ name: "cooperative-sticky", version: 1 }],
      autocommit: false,
      minBytes: 1,
      maxWaitTime: MAX_WAIT_MS,
      maxBytes: FETCH_MAX_BYTES,
      maxBytesPerPartition: FETCH_MAX_PARTITION_BYTES,
      highWaterMark: STREAM_HIGH_WATER_MARK,
      deserializers: { headerKey: headerDeserializer, headerValue: headerDeserializer },
    });
    observeConsumer(consumer, logger);

    const lanes = new Map<number, Lane>();
    const ready: Lane[] = [];
    const workers = new Set<Promise<void>>();
    const commits = new Set<Promise<void>>();
    const wakers = new Set<() => void>();
    let stream: MessagesStream<Buffer, Buffer, string, string> | undefined;
    let stopping = false;
    let paused = false;
    let buffered = 0;
    let bufferedBytes = 0;
    let fatal: Error | undefined;
    let failed: () => void = () => {};
    const failure = new Promise<void>((resolve) => failed = resolve);

    const wake = () => {
      for (const w of wakers) w();
      wakers.clear();
    };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakers.add(done);
      });
    const drop = (lane: Lane) => {
      for (const m of lane.queue) bufferedBytes -= recordBytes(m);
      buffered -= lane.queue.length;
      lane.queue = [];
    };
    const stop = () => {
      if (stopping) return;
      stopping = true;
      for (const lane of lanes.values()) drop(lane);
      ready.length = 0;
      stream?.pause();
      wake();
    };
    const fail = (error: unknown) => {
      if (fatal) return;
      fatal = error instanceof Error ? error : new Error(String(error));
      stop();
      failed();
    };
    const lane = (partition: number): Lane => {
      let l = lanes.get(partition);
      if (!l) {
        l = {
          partition,
          queue: [],
          next: undefined,
          minGeneration: 0,
          epoch: 0,
          busy: false,
          assigned: false,
        };
        lanes.set(partition, l);
      }
      return l;
    };

    // After every join and rebalance: partitions no longer ours lose what they had queued, and a batch of theirs
    // in hand is neither committed nor retried (their new owner starts from the group's committed offset).
    // Partitions (re)assigned accept only records fetched in this generation or later.
    const syncAssignment = () => {
      const mine = new Set(consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? []);
      for (const l of lanes.values()) {
        if (l.assigned && !mine.has(l.partition)) {
          l.assigned = false;
          l.epoch++;
          l.next = undefined;
          drop(l);
          wake();
        }
      }
      for (const partition of mine) {
        const l = lane(partition);
        if (!l.assigned) {
          l.assigned = true;
          l.minGeneration = consumer.generationId;
        }
      }
      resumeIfRoom();
    };

    const resumeIfRoom = () => {
      if (
        paused && !stopping && buffered <= MAX_BUFFERED_RECORDS / 2 && bufferedBytes <= MAX_BUFFERED_BYTES / 2
      ) {
        paused = false;
        stream?.resume();
      }
    };

    const schedule = () => {
      while (!stopping && workers.size < concurrency && ready.length > 0) {
        const l = ready.shift()!;
        if (l.busy || l.queue.length === 0 || !l.assigned) continue;
        const worker = work(l).catch(fail).finally(() => {
          workers.delete(worker);
          schedule();
        });
        workers.add(worker);
      }
    };

    const work = async (l: Lane) => {
      l.busy = true;
      const taken = l.queue;
      l.queue = [];
      buffered -= taken.length;
      for (const m of taken) bufferedBytes -= recordBytes(m);
      resumeIfRoom();
      const epoch = l.epoch;
      const batch: RecordBatch = { topic, partition: l.partition, records: taken.map(toInRecord) };
      try {
        for (let failures = 0;;) {
          // After a stop request or a revocation, take no batch: it stays uncommitted and comes again.
          if (stopping || l.epoch !== epoch) return;
          try {
            await handler(batch);
          } catch (error) {
            failures++;
            const wait = retryBackoff(failures);
            logger.warn(
              {
                topic,
                partition: l.partition,
                offset: batch.records[0].offset,
                failures,
                retryInMs: wait,
                error: String(error),
              },
              "batch failed; it will be handed again",
            );
            await sleep(wait);
            continue;
          }
          if (l.epoch === epoch) commit(taken[taken.length - 1]);
          return;
        }
      } finally {
        l.busy = false;
        if (l.queue.length > 0) ready.push(l);
      }
    };

    const commit = (last: Record_) => {
      const done: Promise<void> = (last.commit() as Promise<void>)
        .catch((error: unknown) => {
          // The stream keeps the offset queued and sends it with the next commit; a commit that needs a rejoin
          // it cannot get ends the stream (an error below), and with it run().
          logger.warn(
            { topic, partition: last.partition, error: String(error) },
            "commit failed; will retry",
          );
        })
        .finally(() => commits.delete(done));
      commits.add(done);
    };

    const accept = (m: Record_) => {
      if (stopping) return;
      const l = lanes.get(m.partition);
      if (!l || !l.assigned) return;
      if (generation(m) < l.minGeneration) return;
      if (l.next !== undefined && m.offset < l.next) return;
      l.next = m.offset + 1n;
      l.queue.push(m);
      buffered++;
      bufferedBytes += recordBytes(m);
      if (!paused && (buffered >= MAX_BUFFERED_RECORDS || bufferedBytes >= MAX_BUFFERED_BYTES)) {
        paused = true;
        stream!.pause();
      }
      if (!l.busy && l.queue.length === 1) {
        ready.push(l);
        schedule();
      }
    };

    // A member that cannot rejoin its group is out of it for good: this consumer ends with an error, and run()
    // replaces it or ends the role (for its supervisor), never sits idle looking healthy.
    consumer.on("error", fail);
    const contact = () => this.#contact.heard();
    consumer.on("consumer:group:join", () => {
      this.#contact.joined();
      onJoin();
    });
    consumer.on("consumer:group:leave", () => this.#contact.left());
    consumer.on("consumer:heartbeat:end", contact);
    consumer.on("consumer:group:join", syncAssignment);
    consumer.on("consumer:group:rebalance", syncAssignment);
    const onAbort = () => {
      stop();
      failed();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      stream = await consumer.consume({
        topics: [topic],
        mode: "committed",
        fallbackMode: "earliest",
        autocommit: false,
      });
      syncAssignment();
      stream.on("error", fail);
      stream.on("close", () => {
        if (!stopping) fail(new Error(`the message stream of ${topic} ended`));
      });
      stream.on("data", accept);
      stream.on("data", contact);
      if (signal.aborted) stop();
      // Until stopped or failed; then the batches in hand finish (and commit) and nothing new starts.
      await failure;
      while (workers.size > 0) await Promise.allSettled([...workers]);
      if (commits.size > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, FINAL_COMMIT_TIMEOUT_MS));
        await Promise.race([Promise.allSettled([...commits]), timeout]);
        clearTimeout(timer);
        if (commits.size > 0) {
          logger.warn({ topic, pending: commits.size }, "stopping with commits unanswered");
        }
      }
    } catch (error) {
      fail(error);
    } finally {
      signal.removeEventListener("abort", onAbort);
      stop();
      while (workers.size > 0) await Promise.allSettled([...workers]);
      // Bounded: after a broker outage a close can wait on an answer that never comes; the role must still end.
      await within(stream?.close(), CLOSE_TIMEOUT_MS, "closing the message stream", topic, logger);
      // Leaves the group, so the partitions go to the other members at once, not after the session timeout.
      await within(consumer.close(true), CLOSE_TIMEOUT_MS, "leaving the group", topic, logger);
    }
    if (fatal) throw new Error(`consumer of ${topic} stopped: ${fatal.message}`, { cause: fatal });
  }
}
