/**
 * {@link RecordSource} over a @platformatic/kafka consumer: a group member (cooperative-sticky assignment, 2 s
 * session, static when given an instance id) whose message stream feeds one small queue per partition; each partition's queue goes to the handler
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
import { type GroupSession, groupSession, type SourceOptions } from "../source_options.ts";
import { describeGroupMembers, observeConsumer, type PlatformaticKafka } from "./platformatic_client.ts";
import { FencedInstanceError, watchFencing } from "./fenced_instance.ts";
import { claimInstance } from "../instance_claim.ts";
import { ConsumerContact } from "../consumer_contact.ts";
import { type LaneBatch, type Ordering, PartitionLane } from "../partition_lane.ts";
import { CommitThrottle } from "../commit_throttle.ts";
import { type Backoff, backoffDelay, waitOrAbort } from "../../failure/retry_policy.ts";

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
/**
 * Commits at most this often per consumer (src/kafka/commit_throttle.ts): a commit request per batch was a
 * third of the chain's Kafka requests at low rates. A crash replays at most this much of what was done.
 */
export const COMMIT_INTERVAL_MS = 200;
/** Records in hand at once in `key` ordering, when the role does not say. */
export const DEFAULT_MAX_IN_FLIGHT = 256;
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
const retryBackoff: Backoff = { minMs: FIRST_RETRY_BACKOFF_MS, maxMs: MAX_RETRY_BACKOFF_MS };

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

/** How many times {@link PlatformaticRecordSource.run} replaces a consumer that failed after joining. */
export const MAX_CONSUMER_RESTARTS = 5;

/** The wait before the `restart`-th new consumer: 1 s doubling, at most 16 s. */
export function consumerRestartDelay(restart: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, restart - 1), 16_000);
}

/**
 * Whether a consumer that failed is replaced: only one that had joined its group (so its topic and group work),
 * was not fenced (another process holds its instance id: a new consumer would fence that one in turn), while
 * the role is not stopping and fewer than {@link MAX_CONSUMER_RESTARTS} were replaced before.
 */
export function shouldRestartConsumer(
  failed: { joined: boolean; restarts: number; aborted: boolean; fenced?: boolean },
): boolean {
  return failed.joined && !failed.fenced && !failed.aborted && failed.restarts < MAX_CONSUMER_RESTARTS;
}

/** How often the group is looked at while another member holds this one's instance id. */
export const CLAIM_POLL_MS = 250;
/**
 * How long a member holding this one's instance id may stay listed and still be a predecessor that died
 * without leaving: its session, a heartbeat, and a second for a busy broker.
 */
export function claimLapseMs(session: GroupSession): number {
  return session.sessionTimeoutMs + session.heartbeatIntervalMs + 1_000;
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
    const { groupId, instanceId } = this.#options;
    // A static member first makes sure no live replica holds its instance id (src/kafka/instance_claim.ts):
    // joining would fence that one, and the two would take the id from each other.
    if (instanceId !== undefined) {
      await claimInstance({
        groupId,
        instanceId,
        describe: () => describeGroupMembers(this.#kafka, groupId),
        lapseMs: claimLapseMs(groupSession(this.#options.sessionTimeoutMs)),
        pollMs: CLAIM_POLL_MS,
        signal,
      });
    }
    for (let restarts = 0;; restarts++) {
      let joined = false;
      try {
        await this.#runOnce(handler, signal, () => joined = true);
        return;
      } catch (error) {
        const fenced = error instanceof FencedInstanceError;
        if (!shouldRestartConsumer({ joined, restarts, aborted: signal.aborted, fenced })) throw error;
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

  #runOnce(
    handler: (batch: RecordBatch) => Promise<void>,
    signal: AbortSignal,
    onJoin: () => void,
  ): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new ConsumerRun(this.#kafka, this.#options, this.#contact, handler, signal, onJoin).run();
  }
}

/** The consumer's settings: group membership, fetch sizes and the stream's buffer. */
function consumerOptions(kafka: PlatformaticKafka, options: SourceOptions) {
  const { groupId, instanceId } = options;
  const session = groupSession(options.sessionTimeoutMs);
  return {
    ...kafka.options,
    groupId,
    // Static membership (KIP-345): the broker knows the member by this id across restarts, and a second
    // process joining under it fences the first (see the fencing watch in ConsumerRun).
    ...(instanceId !== undefined ? { groupInstanceId: instanceId } : {}),
    // A member that dies is noticed after the session timeout and its partitions go to the others (2 s unless
    // KAFKA_SESSION_TIMEOUT_MS, see source_options.ts). The library heartbeats on its own timer, so a slow batch does not make a live member
    // look dead.
    sessionTimeout: session.sessionTimeoutMs,
    heartbeatInterval: session.heartbeatIntervalMs,
    rebalanceTimeout: Math.max(REBALANCE_TIMEOUT_MS, session.sessionTimeoutMs),
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
  };
}

/** An assigned partition's lane, and which records it still accepts. */
interface Assigned {
  readonly lane: PartitionLane<Record_>;
  /** The offset after the last record queued: a record below it is a refetch of one already taken. */
  next: bigint | undefined;
  /** Records stamped with an older consumer generation predate the partition's (re)assignment: stale. */
  minGeneration: number;
}

const recordKey = (m: Record_) => m.key === undefined || m.key === null ? "" : m.key.toString("latin1");

/**
 * One consumer's life, from `consume()` until it stops or fails: its lanes (one per assigned partition), the
 * batches it hands to the handler, the commits of what is done, and the end (the batches in hand finished, the
 * last commits sent, the stream closed, the group left).
 */
class ConsumerRun {
  readonly #kafka: PlatformaticKafka;
  readonly #topic: string;
  readonly #groupId: string;
  readonly #instanceId: string | undefined;
  readonly #ordering: Ordering;
  readonly #concurrency: number;
  readonly #maxInFlight: number;
  readonly #contact: ConsumerContact;
  readonly #handler: (batch: RecordBatch) => Promise<void>;
  readonly #signal: AbortSignal;
  readonly #onJoin: () => void;
  readonly #consumer: Consumer<Buffer, Buffer, string, string>;
  readonly #assigned = new Map<number, Assigned>();
  /** Lanes that may have a batch to hand. */
  readonly #ready = new Set<number>();
  readonly #workers = new Set<Promise<void>>();
  readonly #commits = new Set<Promise<void>>();
  readonly #wakers = new Set<() => void>();
  readonly #throttle: CommitThrottle<Record_>;
  #stream: MessagesStream<Buffer, Buffer, string, string> | undefined;
  #stopping = false;
  /** Set while this run holds the stream paused (buffers full, or stopping). */
  #pausedByUs = false;
  #buffered = 0;
  #bufferedBytes = 0;
  #inFlight = 0;
  #fatal: Error | undefined;
  #ended: () => void = () => {};
  readonly #end = new Promise<void>((resolve) => this.#ended = resolve);

  constructor(
    kafka: PlatformaticKafka,
    options: SourceOptions,
    contact: ConsumerContact,
    handler: (batch: RecordBatch) => Promise<void>,
    signal: AbortSignal,
    onJoin: () => void,
  ) {
    this.#kafka = kafka;
    this.#topic = options.topic;
    this.#groupId = options.groupId;
    this.#instanceId = options.instanceId;
    this.#ordering = options.ordering ?? "partition";
    this.#concurrency = Math.max(1, options.concurrency);
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.#contact = contact;
    this.#handler = handler;
    this.#signal = signal;
    this.#onJoin = onJoin;
    this.#consumer = new Consumer<Buffer, Buffer, string, string>(
      consumerOptions(kafka, options),
    );
    this.#throttle = new CommitThrottle((m) => this.#commit(m), COMMIT_INTERVAL_MS);
    observeConsumer(this.#consumer, kafka.logger);
  }

  /** Consumes until stopped (resolves) or failed (rejects with the cause). */
  async run(): Promise<void> {
    const consumer = this.#consumer;
    // A member that cannot rejoin its group is out of it for good: this consumer ends with an error, and run()
    // replaces it or ends the role (for its supervisor), never sits idle looking healthy.
    consumer.on("error", (error) => this.#fail(error));
    const contact = () => this.#contact.heard();
    consumer.on("consumer:group:join", () => {
      this.#contact.joined();
      this.#onJoin();
    });
    consumer.on("consumer:group:leave", () => this.#contact.left());
    consumer.on("consumer:heartbeat:end", contact);
    consumer.on("consumer:group:join", () => this.#syncAssignment());
    consumer.on("consumer:group:rebalance", () => this.#syncAssignment());
    const onAbort = () => {
      this.#stop();
      this.#ended();
    };
    const unwatch = this.#instanceId === undefined ? () => {} : watchFencing(consumer, () => this.#fenced());
    this.#signal.addEventListener("abort", onAbort, { once: true });
    try {
      const stream = this.#stream = await consumer.consume({
        topics: [this.#topic],
        mode: "committed",
        fallbackMode: "earliest",
        autocommit: false,
      });
      this.#syncAssignment();
      stream.on("error", (error) => this.#fail(error));
      stream.on("close", () => {
        if (!this.#stopping) this.#fail(new Error(`the message stream of ${this.#topic} ended`));
      });
      // The library pauses the stream before it commits for a rebalance: what waits in the throttle goes
      // with that commit, so partitions handed over are committed up to what is done.
      stream.on("pause", () => {
        if (!this.#pausedByUs) this.#throttle.flush();
      });
      stream.on("data", (m: Record_) => this.#accept(m));
      stream.on("data", contact);
      if (this.#signal.aborted) this.#stop();
      // Until stopped or failed; then the batches in hand finish (and commit) and nothing new starts.
      await this.#end;
      await this.#drain();
      await this.#finalCommits();
    } catch (error) {
      this.#fail(error);
    } finally {
      unwatch();
      this.#signal.removeEventListener("abort", onAbort);
      this.#stop();
      await this.#drain();
      this.#throttle.close();
      await this.#close();
    }
    if (this.#fatal instanceof FencedInstanceError) throw this.#fatal;
    if (this.#fatal) {
      throw new Error(`consumer of ${this.#topic} stopped: ${this.#fatal.message}`, { cause: this.#fatal });
    }
  }

  // --- lanes ---

  /**
   * After every join and rebalance: partitions no longer ours lose what they had queued and their waiting
   * commit, and a batch of theirs in hand is neither committed nor retried (their new owner starts from the
   * group's committed offset). Partitions (re)assigned accept only records fetched in this generation or later.
   */
  #syncAssignment(): void {
    const mine = new Set(this.#consumer.assignments?.find((a) => a.topic === this.#topic)?.partitions ?? []);
    for (const [partition, assigned] of this.#assigned) {
      if (mine.has(partition)) continue;
      this.#unbuffer(assigned.lane.clearQueue());
      assigned.lane.revoke();
      this.#throttle.drop(partition);
      this.#assigned.delete(partition);
      this.#ready.delete(partition);
      this.#wake();
    }
    for (const partition of mine) {
      if (this.#assigned.has(partition)) continue;
      this.#assigned.set(partition, {
        lane: new PartitionLane(partition, this.#ordering, recordKey),
        next: undefined,
        minGeneration: this.#consumer.generationId,
      });
    }
    this.#resumeIfRoom();
  }

  #accept(m: Record_): void {
    if (this.#stopping) return;
    const assigned = this.#assigned.get(m.partition);
    if (!assigned || generation(m) < assigned.minGeneration) return;
    if (assigned.next !== undefined && m.offset < assigned.next) return;
    assigned.next = m.offset + 1n;
    assigned.lane.push(m);
    this.#buffered++;
    this.#bufferedBytes += recordBytes(m);
    if (this.#buffered >= MAX_BUFFERED_RECORDS || this.#bufferedBytes >= MAX_BUFFERED_BYTES) this.#pause();
    this.#ready.add(m.partition);
    this.#schedule();
  }

  #unbuffer(records: readonly Record_[]): void {
    this.#buffered -= records.length;
    for (const m of records) this.#bufferedBytes -= recordBytes(m);
  }

  // --- flow control ---

  #pause(): void {
    if (this.#pausedByUs) return;
    this.#pausedByUs = true;
    this.#stream?.pause();
  }

  #resumeIfRoom(): void {
    if (
      this.#pausedByUs && !this.#stopping && this.#buffered <= MAX_BUFFERED_RECORDS / 2 &&
      this.#bufferedBytes <= MAX_BUFFERED_BYTES / 2
    ) {
      this.#pausedByUs = false;
      this.#stream?.resume();
    }
  }

  // --- batches ---

  /** Hands every batch that may go now: lanes in parallel up to `concurrency`, or records up to `maxInFlight`. */
  #schedule(): void {
    for (const partition of this.#ready) {
      if (this.#stopping) return;
      const keyed = this.#ordering === "key";
      if (keyed ? this.#inFlight >= this.#maxInFlight : this.#workers.size >= this.#concurrency) return;
      const lane = this.#assigned.get(partition)?.lane;
      const batch = lane?.take(keyed ? this.#maxInFlight - this.#inFlight : undefined);
      if (!lane || lane.queued === 0) this.#ready.delete(partition);
      if (!lane || !batch) continue;
      // To the back of the line: the other partitions' records go before this one's next batch.
      if (lane.queued > 0) {
        this.#ready.delete(partition);
        this.#ready.add(partition);
      }
      this.#unbuffer(batch.records);
      this.#resumeIfRoom();
      this.#inFlight += batch.records.length;
      const worker = this.#work(lane, batch).catch((error) => this.#fail(error)).finally(() => {
        this.#workers.delete(worker);
        this.#inFlight -= batch.records.length;
        if (lane.queued > 0 && this.#assigned.get(lane.partition)?.lane === lane) {
          this.#ready.add(lane.partition);
        }
        this.#schedule();
      });
      this.#workers.add(worker);
    }
  }

  /** Hands `batch` to the handler until it succeeds (waiting longer after each failure), then commits it. */
  async #work(lane: PartitionLane<Record_>, batch: LaneBatch<Record_>): Promise<void> {
    const records: RecordBatch = {
      topic: this.#topic,
      partition: lane.partition,
      records: batch.records.map(toInRecord),
    };
    for (let failures = 0;;) {
      // After a stop request or a revocation, take no batch: it stays uncommitted and comes again.
      if (this.#stopping || lane.epoch !== batch.epoch) {
        lane.abandon(batch);
        return;
      }
      try {
        await this.#handler(records);
      } catch (error) {
        failures++;
        const wait = backoffDelay(failures, retryBackoff);
        this.#kafka.logger.warn(
          {
            topic: this.#topic,
            partition: lane.partition,
            offset: records.records[0].offset,
            failures,
            retryInMs: wait,
            error: String(error),
          },
          "batch failed; it will be handed again",
        );
        await this.#sleep(wait);
        continue;
      }
      const upTo = lane.finish(batch);
      if (upTo) this.#throttle.offer(lane.partition, upTo);
      return;
    }
  }

  // --- commits ---

  #commit(last: Record_): void {
    const done: Promise<void> = (last.commit() as Promise<void>)
      .catch((error: unknown) => {
        // The stream keeps the offset queued and sends it with the next commit; a commit that needs a rejoin
        // it cannot get ends the stream (an error below), and with it run().
        this.#kafka.logger.warn(
          { topic: this.#topic, partition: last.partition, error: String(error) },
          "commit failed; will retry",
        );
      })
      .finally(() => this.#commits.delete(done));
    this.#commits.add(done);
  }

  /** Sends what waits in the throttle and waits (bounded) for every commit to be answered. */
  async #finalCommits(): Promise<void> {
    this.#throttle.flush();
    if (this.#commits.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, FINAL_COMMIT_TIMEOUT_MS));
    await Promise.race([Promise.allSettled([...this.#commits]), timeout]);
    clearTimeout(timer);
    if (this.#commits.size > 0) {
      this.#kafka.logger.warn(
        { topic: this.#topic, pending: this.#commits.size },
        "stopping with commits unanswered",
      );
    }
  }

  // --- the end ---

  #stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const { lane } of this.#assigned.values()) this.#unbuffer(lane.clearQueue());
    this.#ready.clear();
    this.#pause();
    this.#wake();
  }

  /**
   * Another process joined under this member's instance id. Called before the library acts on the answer:
   * leaving the group now (the library's leaveGroup ends its membership at once) keeps it from rejoining, which
   * would fence the other process in turn. The batches in hand finish; their commits are refused.
   */
  #fenced(): void {
    this.#kafka.logger.error(
      { topic: this.#topic, group: this.#groupId, instanceId: this.#instanceId },
      "fenced: another process joined the group with this instance id; stopping",
    );
    this.#fail(new FencedInstanceError(this.#groupId, this.#instanceId ?? ""));
    this.#consumer.leaveGroup(true, () => {});
  }

  #fail(error: unknown): void {
    if (this.#fatal) return;
    this.#fatal = error instanceof Error ? error : new Error(String(error));
    this.#stop();
    this.#ended();
  }

  async #drain(): Promise<void> {
    while (this.#workers.size > 0) await Promise.allSettled([...this.#workers]);
  }

  /** Closes the stream and leaves the group, each bounded: after a broker outage an answer may never come. */
  async #close(): Promise<void> {
    const logger = this.#kafka.logger;
    await within(this.#stream?.close(), CLOSE_TIMEOUT_MS, "closing the message stream", this.#topic, logger);
    // Leaves the group, so the partitions go to the other members at once, not after the session timeout.
    await within(this.#consumer.close(true), CLOSE_TIMEOUT_MS, "leaving the group", this.#topic, logger);
  }

  #wake(): void {
    for (const wake of this.#wakers) wake();
    this.#wakers.clear();
  }

  /** Waits `ms`, or less when the run stops or a partition is revoked. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
    });
  }
}
