/**
 * One assigned partition's records between the fetch and the handler, and which of them may be committed. Pure:
 * no client, no timer. A record source keeps one lane per assigned partition.
 *
 * Two orderings:
 * - `partition`: one batch of the partition at a time, every record queued when it is taken (the classic
 *   consumer: a batch's records are committed once the handler is done with it).
 * - `key`: records of different keys are handed while earlier ones are still in hand (several batches of one
 *   partition at once), records of one key one batch after another and in offset order, as Confluent's Parallel
 *   Consumer does in its key order. A slow record delays its own key, not the partition.
 *
 * Either way the offset to commit is the one after the highest record below which every record is done, so a
 * crash replays only records that were not done, or were done after a record still in hand.
 *
 * @module
 */

/** How records of one partition may be handed at once. */
export type Ordering = "partition" | "key";

/** Records handed together, and the lane's epoch when they were taken. */
export interface LaneBatch<R> {
  readonly records: readonly R[];
  readonly epoch: number;
  /** @internal the lane's entries of `records`. */
  readonly entries: readonly Entry<R>[];
}

interface Entry<R> {
  readonly record: R;
  readonly key: string;
  done: boolean;
}

/** A partition's records queued, in hand and done; see the module notes. */
export class PartitionLane<R> {
  readonly partition: number;
  readonly #ordering: Ordering;
  readonly #keyOf: (record: R) => string;
  /** Every record accepted and not yet committable, in offset order, from `#head`. */
  #entries: Entry<R>[] = [];
  #head = 0;
  /** Accepted, not handed yet, in offset order. */
  #queue: Entry<R>[] = [];
  /** Keys with records in hand (`key` ordering): a key is in one batch at a time. */
  readonly #locked = new Set<string>();
  #batches = 0;
  #inHand = 0;
  #epoch = 0;

  /** `keyOf` gives a record's ordering key (`key` ordering only); records without one share the key "". */
  constructor(partition: number, ordering: Ordering, keyOf: (record: R) => string = () => "") {
    this.partition = partition;
    this.#ordering = ordering;
    this.#keyOf = keyOf;
  }

  /** Changes when the partition is revoked: a batch of an older epoch must not be committed or retried. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Records accepted and not handed yet. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Records handed and not finished. */
  get inHand(): number {
    return this.#inHand;
  }

  /** Batches handed and not finished. */
  get batches(): number {
    return this.#batches;
  }

  /** Queues a record; records come in offset order. */
  push(record: R): void {
    const entry: Entry<R> = { record, key: this.#ordering === "key" ? this.#keyOf(record) : "", done: false };
    this.#entries.push(entry);
    this.#queue.push(entry);
  }

  /**
   * The next batch to hand, of at most `limit` records, or undefined when none may go now: in `partition`
   * ordering every queued record once the batch in hand is finished; in `key` ordering the queued records whose
   * key has nothing in hand, oldest first.
   */
  take(limit = Number.POSITIVE_INFINITY): LaneBatch<R> | undefined {
    if (this.#queue.length === 0 || limit < 1) return undefined;
    let taken: Entry<R>[];
    if (this.#ordering === "partition") {
      if (this.#batches > 0) return undefined;
      taken = this.#queue.length <= limit ? this.#queue : this.#queue.slice(0, limit);
      this.#queue = this.#queue.length <= limit ? [] : this.#queue.slice(limit);
    } else {
      taken = [];
      const kept: Entry<R>[] = [];
      for (const entry of this.#queue) {
        if (taken.length < limit && !this.#locked.has(entry.key)) taken.push(entry);
        else kept.push(entry);
      }
      if (taken.length === 0) return undefined;
      // A key's records all go in this batch (none of it was in hand), so the batch keeps their order.
      for (const entry of taken) this.#locked.add(entry.key);
      this.#queue = kept;
    }
    this.#batches++;
    this.#inHand += taken.length;
    return { records: taken.map((e) => e.record), epoch: this.#epoch, entries: taken };
  }

  /**
   * Marks a batch done. Returns the record up to which the partition may now be committed (the highest record
   * below which every record is done), or undefined when that did not move or the batch predates a revocation.
   */
  finish(batch: LaneBatch<R>): R | undefined {
    this.#release(batch);
    if (batch.epoch !== this.#epoch) return undefined;
    for (const entry of batch.entries) entry.done = true;
    let last: Entry<R> | undefined;
    while (this.#head < this.#entries.length && this.#entries[this.#head].done) {
      last = this.#entries[this.#head];
      this.#head++;
    }
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return last?.record;
  }

  /** Gives a batch back without finishing it (the role stopped): its records are neither done nor handed again. */
  abandon(batch: LaneBatch<R>): void {
    this.#release(batch);
  }

  /** The partition is no longer ours: everything queued is dropped and batches in hand become stale. */
  revoke(): void {
    this.#epoch++;
    this.#entries = [];
    this.#head = 0;
    this.#queue = [];
    this.#locked.clear();
  }

  /** Drops what is queued (the role stops); batches in hand finish as they are. */
  clearQueue(): R[] {
    const dropped = this.#queue.map((e) => e.record);
    this.#queue = [];
    return dropped;
  }

  #release(batch: LaneBatch<R>): void {
    this.#batches--;
    this.#inHand -= batch.entries.length;
    if (this.#ordering === "key" && batch.epoch === this.#epoch) {
      for (const entry of batch.entries) this.#locked.delete(entry.key);
    }
  }
}
