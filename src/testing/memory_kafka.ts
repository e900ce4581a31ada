/**
 * In-memory fakes of {@link RecordSink} and {@link RecordSource} for unit tests of the roles.
 *
 * @module
 */
import type { InRecord, OutRecord, RecordBatch, RecordSink, RecordSource } from "../messaging/records.ts";

/** Records every `send`; can be told to fail the next sends. */
export class MemorySink implements RecordSink {
  readonly sent: OutRecord[] = [];
  failNext = 0;

  send(records: readonly OutRecord[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error("MemorySink: send failed (as told)"));
    }
    this.sent.push(...records);
    return Promise.resolve();
  }

  /** The records sent to `topic`, in order. */
  on(topic: string): OutRecord[] {
    return this.sent.filter((r) => r.topic === topic);
  }

  /**
   * The records sent to `topic` as a consumer would read them: keys and values as bytes (copies), headers as
   * sent (or none), offsets from 0. The fake has one partition per topic, so one key's records stay in order.
   */
  records(topic: string): InRecord[] {
    const bytes = (v: Uint8Array | string | null) =>
      v === null ? null : typeof v === "string" ? new TextEncoder().encode(v) : v.slice();
    return this.on(topic).map((r, i) => ({
      topic,
      partition: 0,
      offset: String(i),
      key: bytes(r.key),
      value: bytes(r.value),
      headers: { ...r.headers },
      timestamp: Date.now(),
    }));
  }
}

/**
 * Hands queued batches to the handler one by one, as a consumer would; a batch whose handler throws is handed
 * again, and only batches whose handler resolved count as committed. Unlike the Kafka source, run() also
 * resolves once the queue is empty (so a unit test needs no abort).
 *
 * A failed batch is never skipped, as with Kafka: if run() is stopped while its handler fails, the batch stays
 * first in the queue for the next run(). The real source retries a failing batch for ever; the fake gives up
 * after `attempts` tries and rejects run() with the last error, keeping the batch, so a test whose handler always
 * fails ends instead of spinning.
 */
export class MemorySource implements RecordSource {
  readonly #queue: RecordBatch[] = [];
  readonly committed: RecordBatch[] = [];
  readonly failures: unknown[] = [];

  constructor(readonly attempts = 3) {}

  /** Queues one partition's records. */
  push(topic: string, partition: number, records: Omit<InRecord, "topic" | "partition">[]): this {
    this.#queue.push({ topic, partition, records: records.map((r) => ({ ...r, topic, partition })) });
    return this;
  }

  async run(handler: (batch: RecordBatch) => Promise<void>, signal: AbortSignal): Promise<void> {
    while (this.#queue.length > 0 && !signal.aborted) {
      const batch = this.#queue[0];
      for (let attempt = 1;; attempt++) {
        try {
          await handler(batch);
          this.#queue.shift();
          this.committed.push(batch);
          break;
        } catch (error) {
          this.failures.push(error);
          if (signal.aborted) return;
          if (attempt >= this.attempts) {
            const where = `${batch.topic}/${batch.partition}`;
            throw new Error(`MemorySource: batch of ${where} failed ${attempt} times`, { cause: error });
          }
        }
      }
    }
  }
}

/** A consumed record with the given value and key, at `offset`. */
export function inRecord(
  offset: number,
  value: Uint8Array | string | null,
  key: string | null = null,
): Omit<InRecord, "topic" | "partition"> {
  const encode = (v: Uint8Array | string | null) => typeof v === "string" ? new TextEncoder().encode(v) : v;
  return {
    offset: String(offset),
    key: encode(key),
    value: encode(value),
    headers: {},
    timestamp: Date.now(),
  };
}
