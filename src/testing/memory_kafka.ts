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
}

/**
 * Hands queued batches to the handler one by one, as a consumer would; a batch whose handler throws is handed
 * again (up to `attempts` times), and only batches whose handler resolved count as committed.
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
      const batch = this.#queue.shift()!;
      for (let attempt = 1; attempt <= this.attempts; attempt++) {
        try {
          await handler(batch);
          this.committed.push(batch);
          break;
        } catch (error) {
          this.failures.push(error);
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
