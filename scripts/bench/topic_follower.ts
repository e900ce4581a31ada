/**
 * Follows a run's topics from the beginning with one consumer of its own, paused while the clock runs: between
 * steps {@link TopicFollower.catchUp} reads everything appended so far (up to each partition's end, found
 * first) and pauses again, so the reading costs no CPU during a measured step and no group join per step.
 *
 * @module
 */
import type { Admin, Consumer, Kafka } from "kafkajs";
import type { Buffer } from "node:buffer";

/** Receives each record once: its topic, key (`""` when none), broker timestamp (ms) and value. */
export type RecordHandler = (topic: string, key: string, timestamp: number, value: Buffer | null) => void;

/** One consumer over `topics`, read on demand. */
export class TopicFollower {
  readonly #consumer: Consumer;
  readonly #admin: Admin;
  readonly #topics: { topic: string }[];
  /** The next offset to read, per `topic/partition`. */
  readonly #next = new Map<string, number>();
  #failed: Error | undefined;

  private constructor(consumer: Consumer, admin: Admin, topics: string[]) {
    this.#consumer = consumer;
    this.#admin = admin;
    this.#topics = topics.map((topic) => ({ topic }));
  }

  /** Joins group `groupId`, subscribed to `topics` from the beginning, paused; `onRecord` gets every record. */
  static async start(
    kafka: Kafka,
    admin: Admin,
    groupId: string,
    topics: string[],
    onRecord: RecordHandler,
  ): Promise<TopicFollower> {
    const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 << 20 });
    const follower = new TopicFollower(consumer, admin, topics);
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const at = `${batch.topic}/${batch.partition}`;
        let next = follower.#next.get(at) ?? 0;
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset < next) continue;
          onRecord(batch.topic, m.key?.toString() ?? "", Number(m.timestamp), m.value);
          next = offset + 1;
        }
        follower.#next.set(at, next);
        return Promise.resolve();
      },
    }).catch((error) => follower.#failed = error);
    consumer.pause(follower.#topics);
    return follower;
  }

  /**
   * Reads every record appended to the topics so far, then pauses again. Gives up after `timeoutMs` (and says
   * so) rather than hang the bench.
   */
  async catchUp(timeoutMs = 120_000): Promise<void> {
    const ends = new Map<string, number>();
    for (const { topic } of this.#topics) {
      for (const p of await this.#admin.fetchTopicOffsets(topic)) {
        ends.set(`${topic}/${p.partition}`, Number(p.high));
      }
    }
    const behind = () => [...ends].filter(([at, end]) => (this.#next.get(at) ?? 0) < end);
    if (behind().length === 0) return;
    this.#consumer.resume(this.#topics);
    try {
      const deadline = Date.now() + timeoutMs;
      while (behind().length > 0) {
        if (this.#failed) throw this.#failed;
        if (Date.now() > deadline) {
          throw new Error(`topic follower: still behind on ${behind().map(([at]) => at).join(", ")}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      this.#consumer.pause(this.#topics);
    }
  }

  /** Leaves the group. */
  async stop(): Promise<void> {
    await this.#consumer.disconnect().catch(() => {});
  }
}
