/**
 * Offset commits at most once per interval per consumer, instead of a commit request per finished batch: at low
 * rates every batch is a batch of one, and its commit was a third of the chain's Kafka requests. The first
 * commit after a quiet interval goes at once; later ones within the interval wait for its end and go together
 * (the client sends every partition's offset in one request). What waits is committed before the consumer
 * lets partitions go (its owner calls {@link CommitThrottle.flush} when a rebalance starts and when it stops),
 * and dropped for a partition that was revoked, so a late commit never rewinds the partition's new owner. A
 * crash loses at most an interval of commits: those records come again (at least once).
 *
 * @module
 */

/** The timer the throttle uses (injected in tests). */
export interface CommitTimer {
  now(): number;
  set(callback: () => void, ms: number): unknown;
  clear(id: unknown): void;
}

const realTimer: CommitTimer = {
  now: () => performance.now(),
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/** Commits the latest offered record of each partition, at most once per `intervalMs`. */
export class CommitThrottle<R> {
  readonly #commit: (record: R) => void;
  readonly #intervalMs: number;
  readonly #timer: CommitTimer;
  readonly #waiting = new Map<number, R>();
  #last = Number.NEGATIVE_INFINITY;
  #scheduled: unknown;

  /** `commit` sends (or queues with the client) the commit of everything up to and including `record`. */
  constructor(commit: (record: R) => void, intervalMs: number, timer: CommitTimer = realTimer) {
    this.#commit = commit;
    this.#intervalMs = intervalMs;
    this.#timer = timer;
  }

  /** Partitions with a commit waiting. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** `record` of `partition` and everything before it are done: commit them now or at the interval's end. */
  offer(partition: number, record: R): void {
    this.#waiting.set(partition, record);
    if (this.#scheduled !== undefined) return;
    const wait = this.#last + this.#intervalMs - this.#timer.now();
    if (wait <= 0) this.flush();
    else this.#scheduled = this.#timer.set(() => this.flush(), wait);
  }

  /** Commits everything waiting now. */
  flush(): void {
    if (this.#scheduled !== undefined) {
      this.#timer.clear(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (this.#waiting.size === 0) return;
    this.#last = this.#timer.now();
    const records = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const record of records) this.#commit(record);
  }

  /** Forgets the commit waiting for `partition` (it was revoked: its new owner commits from now on). */
  drop(partition: number): void {
    this.#waiting.delete(partition);
  }

  /** Stops the timer; what still waits is not committed. */
  close(): void {
    if (this.#scheduled !== undefined) this.#timer.clear(this.#scheduled);
    this.#scheduled = undefined;
    this.#waiting.clear();
  }
}
