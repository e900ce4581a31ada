/**
 * A bounded, non-blocking {@link RoutingLog}: rows wait in a queue and are written in the background, so routing
 * never waits for the metadata log. A write that fails in a way that may pass later (Cassandra away, a timeout)
 * waits ahead of the queue, and the log backs off before it tries that same write again: rows are held through
 * an outage as long as the queue can hold them. When the queue is full, new rows are dropped and
 * counted; rows of a write that fails for good are counted as failed. Both are logged as counts, at most once
 * per interval. No Cassandra code here: the writer behind it ({@link RowWriter}) is
 * `src/cassandra/cassandra_row_writer.ts`, and it must make a second write of the same rows harmless (upserts
 * keyed by the rows).
 *
 * @module
 */
import type { Logger } from "../logging/logger.ts";
import { backoffDelay, isRetriable } from "../failure/retry_policy.ts";
import type { RoutingLog, RoutingLogStats, RoutingRow } from "./routing_log.ts";

/** Stores rows somewhere durable: the I/O seam of {@link BufferedRoutingLog}. */
export interface RowWriter {
  /**
   * Resolves when every row is stored; rejects (ideally with a {@link RowWriteError}) when some are not. A write
   * that failed may be made again with exactly the same rows, in the same order; that must store each row once.
   */
  write(rows: readonly RoutingRow[]): Promise<void>;
}

/** A write that stored only some of its rows; `failedRows` says how many it lost. */
export class RowWriteError extends Error {
  readonly failedRows: number;

  constructor(message: string, failedRows: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "RowWriteError";
    this.failedRows = failedRows;
  }
}

/** Sizes of the queue and of the background writes. All are required; {@link BufferedRoutingLog} checks them. */
export interface BufferedRoutingLogOptions {
  /** Rows queued at most (rows being written are not counted); beyond it rows are dropped and counted. */
  capacity: number;
  /** Rows per write. */
  maxBatch: number;
  /** Writes in flight at once. */
  concurrency: number;
  /**
   * How long logged rows wait for more before a write of fewer than `maxBatch` rows starts; 0 (the default)
   * starts it in the same tick. Under load the writes in flight batch the rows anyway; at low rates a short wait
   * turns a request per routed batch into one per interval.
   */
  lingerMs?: number;
  logger: Logger;
  /** At most one warning about dropped and failed rows per this many milliseconds. */
  reportEveryMs: number;
  /** The first wait after a write that may pass later; it doubles with each failure up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

function positiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`BufferedRoutingLog: ${name} must be a positive integer, got ${value}`);
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/**
 * A bounded, non-blocking {@link RoutingLog} over a {@link RowWriter}.
 *
 * `log()` appends to an array and, once per tick (or once per `lingerMs`, or as soon as `maxBatch` rows wait),
 * starts writes of up to `maxBatch` rows, at most `concurrency` at a time; each finished write starts the next.
 * Nothing runs while the queue is empty: no timer, no loop.
 */
export class BufferedRoutingLog implements RoutingLog {
  readonly #writer: RowWriter;
  readonly #options: BufferedRoutingLogOptions;
  #queue: RoutingRow[] = [];
  #head = 0;
  /**
   * Writes that failed in a way that may pass later, oldest first, each to be tried again as the same rows: a
   * writer may key what it stores by a write's rows (a tally of them), so a retry must not regroup them.
   */
  #failedWrites: RoutingRow[][] = [];
  #failedWriteRows = 0;
  #writes = 0;
  #rowsInFlight = 0;
  #scheduled = false;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  /** Writes that failed and were put back to try again. */
  #retries = 0;
  #reported = { dropped: 0, failed: 0, retries: 0, at: Number.NEGATIVE_INFINITY };
  #lastError: string | undefined;
  #reportTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set when a write fails while closing: nothing more is tried. */
  #abandoned = false;
  /** Set while the writer is failing: no write starts before the timer fires. */
  #backoff: { failures: number; timer?: ReturnType<typeof setTimeout> } | undefined;
  #idle: (() => void)[] = [];

  /** @throws {RangeError} when a size is not a positive integer or `reportEveryMs` is negative */
  constructor(writer: RowWriter, options: BufferedRoutingLogOptions) {
    positiveInteger(options.capacity, "capacity");
    positiveInteger(options.maxBatch, "maxBatch");
    positiveInteger(options.concurrency, "concurrency");
    if (!(options.reportEveryMs >= 0)) {
      throw new RangeError(
        `BufferedRoutingLog: reportEveryMs must be 0 or more, got ${options.reportEveryMs}`,
      );
    }
    this.#writer = writer;
    this.#options = options;
  }

  log(row: RoutingRow): void {
    if (this.#closed || this.#queue.length - this.#head + this.#failedWriteRows >= this.#options.capacity) {
      this.#dropped++;
      this.#report(false);
      return;
    }
    this.#queue.push(row);
    if (this.#lingerTimer !== undefined && this.#queue.length - this.#head >= this.#options.maxBatch) {
      // A full write is waiting: no reason to linger.
      clearTimeout(this.#lingerTimer);
      this.#lingerTimer = undefined;
      queueMicrotask(this.#pump);
    } else if (!this.#scheduled) {
      // Once per tick (or per linger): the router logs a whole batch synchronously, then the pump writes it in
      // large chunks.
      this.#scheduled = true;
      const linger = this.#options.lingerMs ?? 0;
      if (linger > 0) this.#lingerTimer = setTimeout(this.#pump, linger);
      else queueMicrotask(this.#pump);
    }
  }

  readonly #pump = (): void => {
    this.#scheduled = false;
    clearTimeout(this.#lingerTimer);
    this.#lingerTimer = undefined;
    const { maxBatch, concurrency } = this.#options;
    // While backing off, one write at a time probes whether the writer is back.
    const limit = this.#abandoned ? 0 : this.#backoff ? (this.#backoff.timer ? 0 : 1) : concurrency;
    while (this.#failedWrites.length > 0 && this.#writes < limit) {
      const rows = this.#failedWrites.shift()!;
      this.#failedWriteRows -= rows.length;
      this.#start(rows);
    }
    while (this.#head < this.#queue.length && this.#writes < limit) {
      const end = Math.min(this.#queue.length, this.#head + maxBatch);
      this.#start(this.#queue.slice(this.#head, end));
      this.#head = end;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const empty = this.#head === this.#queue.length && this.#failedWrites.length === 0;
    if ((empty || this.#abandoned) && this.#writes === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  };

  #start(rows: RoutingRow[]): void {
    this.#writes++;
    this.#rowsInFlight += rows.length;
    let writing: Promise<void>;
    try {
      writing = this.#writer.write(rows);
    } catch (error) {
      writing = Promise.reject(error);
    }
    writing.then(
      () => {
        this.#backoff = undefined;
        this.#finish(rows.length, 0, undefined);
      },
      (error: unknown) => {
        if (isRetriable(error) && !this.#closed) {
          // The write waits, ahead of newer rows, for the writer to return, and is tried again as it was.
          this.#failedWrites.push(rows);
          this.#failedWriteRows += rows.length;
          this.#retryLater(error);
          this.#finish(rows.length, 0, undefined, true);
          this.#report(false);
          return;
        }
        // Closing, the writer still failing: no more tries; close() counts what is still queued as dropped.
        if (this.#closed) this.#abandoned = true;
        const lost = error instanceof RowWriteError
          ? Math.min(rows.length, Math.max(0, error.failedRows))
          : rows.length;
        this.#finish(rows.length, lost, error);
      },
    );
  }

  #retryLater(error: unknown): void {
    const failures = (this.#backoff?.failures ?? 0) + 1;
    const ms = backoffDelay(failures, {
      minMs: this.#options.minBackoffMs ?? 100,
      maxMs: this.#options.maxBackoffMs ?? 5_000,
    });
    clearTimeout(this.#backoff?.timer);
    const timer = setTimeout(() => {
      if (this.#backoff) delete this.#backoff.timer;
      this.#pump();
    }, ms);
    // The role's consumer keeps the process alive; this timer alone must not.
    Deno.unrefTimer(timer);
    this.#backoff = { failures, timer };
    this.#lastError = describe(error);
    this.#retries++;
  }

  #finish(rows: number, lost: number, error: unknown, requeued = false): void {
    this.#writes--;
    this.#rowsInFlight -= rows;
    if (!requeued) this.#written += rows - lost;
    this.#failed += lost;
    if (lost > 0) {
      this.#lastError = describe(error);
      this.#report(false);
    }
    this.#pump();
  }

  /**
   * Logs the drops and failures not yet reported. Within `reportEveryMs` of the last warning (unless `force`) it
   * sets one timer for the end of the interval instead; the timer is unref'd so it never keeps the process alive.
   */
  #report(force: boolean): void {
    const dropped = this.#dropped - this.#reported.dropped;
    const failed = this.#failed - this.#reported.failed;
    const retries = this.#retries - this.#reported.retries;
    if (dropped === 0 && failed === 0 && retries === 0) return;
    const now = Date.now();
    const wait = this.#reported.at + this.#options.reportEveryMs - now;
    if (!force && wait > 0) {
      if (this.#reportTimer === undefined) {
        const timer = setTimeout(() => {
          this.#reportTimer = undefined;
          this.#report(false);
        }, wait);
        Deno.unrefTimer(timer);
        this.#reportTimer = timer;
      }
      return;
    }
    clearTimeout(this.#reportTimer);
    this.#reportTimer = undefined;
    this.#reported = { dropped: this.#dropped, failed: this.#failed, retries: this.#retries, at: now };
    const error = this.#lastError;
    this.#lastError = undefined;
    const held = this.#queue.length - this.#head + this.#failedWriteRows + this.#rowsInFlight;
    this.#options.logger.warn(
      {
        dropped,
        failed,
        retries,
        held,
        totalWritten: this.#written,
        totalDropped: this.#dropped,
        totalFailed: this.#failed,
        error,
      },
      dropped > 0 || failed > 0
        ? "metadata rows lost while Cassandra is slow or unavailable; routing goes on"
        : "metadata writes failing; rows held in the buffer and written when Cassandra answers again",
    );
  }

  stats(): RoutingLogStats {
    return {
      written: this.#written,
      dropped: this.#dropped,
      failed: this.#failed,
      pending: this.#queue.length - this.#head + this.#failedWriteRows + this.#rowsInFlight,
    };
  }

  async flush(timeoutMs: number): Promise<RoutingLogStats> {
    if (this.#head < this.#queue.length || this.#failedWrites.length > 0 || this.#writes > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let idle: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        idle = resolve;
        this.#idle.push(resolve);
        timer = setTimeout(resolve, Math.max(0, timeoutMs));
      });
      clearTimeout(timer);
      const waiting = this.#idle.indexOf(idle!);
      if (waiting >= 0) this.#idle.splice(waiting, 1);
    }
    return this.stats();
  }

  /**
   * Stops taking rows and flushes for up to `timeoutMs`; rows still queued then (Cassandra still away) are
   * counted as dropped, so written + dropped + failed is every row logged, less the writes still in flight.
   */
  async close(timeoutMs: number): Promise<RoutingLogStats> {
    this.#closed = true;
    if (this.#lingerTimer !== undefined) this.#pump();
    if (this.#backoff?.timer) {
      // Try once more now rather than wait out the backoff.
      clearTimeout(this.#backoff.timer);
      delete this.#backoff.timer;
      this.#pump();
    }
    await this.flush(timeoutMs);
    clearTimeout(this.#backoff?.timer);
    this.#dropped += this.#queue.length - this.#head + this.#failedWriteRows;
    this.#queue = [];
    this.#head = 0;
    this.#failedWrites = [];
    this.#failedWriteRows = 0;
    this.#report(true);
    return this.stats();
  }
}
