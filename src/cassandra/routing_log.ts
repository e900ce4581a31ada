/**
 * The metadata log: one row per routing operation, written to Cassandra in the background so routing never
 * waits for it. Rows wait in a bounded queue; when Cassandra is slow or down and the queue is full, new rows are
 * dropped and counted, and the rows of a failed write are counted and dropped too. Both are logged as counts, at
 * most once per interval: routing goes on while Cassandra is away.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import type { Logger } from "../log.ts";

/** The metadata of one hop. Never a payload: ids, topics, outcome and timing only. */
export interface RoutingRow {
  requestId: string;
  workerName: string;
  sourceTopic: string;
  targetTopic: string;
  routeId: string;
  success: boolean;
  processingTimeMs: number;
  routedAt: Date;
  /** Why the hop failed (a dead-letter reason); absent on success. */
  reason?: string;
  sourcePartition: number;
  /** The Kafka offset, a decimal string (it may not fit a double). */
  sourceOffset: string;
}

/** Row counts since the log was made. */
export interface RoutingLogStats {
  /** Rows the writer stored. */
  written: number;
  /** Rows not queued: the queue was full or the log closed. */
  dropped: number;
  /** Rows whose write failed. */
  failed: number;
  /** Rows queued or being written. */
  pending: number;
}

/** Where the router records hops. */
export interface RoutingLog {
  /** Queues a row; returns at once and never throws. */
  log(row: RoutingRow): void;
  /** Waits until every queued row is written (or has failed), or `timeoutMs` passes. */
  flush(timeoutMs: number): Promise<RoutingLogStats>;
  stats(): RoutingLogStats;
  /** Stops taking rows, then flushes. */
  close(timeoutMs: number): Promise<RoutingLogStats>;
}

/** Stores rows somewhere durable: the I/O seam of {@link BufferedRoutingLog}. */
export interface RowWriter {
  /** Resolves when every row is stored; rejects (ideally with a {@link RowWriteError}) when some are not. */
  write(rows: readonly RoutingRow[]): Promise<void>;
}

/** A write that stored only some of its rows; `failedRows` says how many it lost. */
export class RowWriteError extends Error {
  readonly failedRows: number;

  constructor(message: string, failedRows: number) {
    super(message);
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
  logger: Logger;
  /** At most one warning about dropped and failed rows per this many milliseconds. */
  reportEveryMs: number;
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
 * `log()` appends to an array and, once per tick, schedules a microtask that starts writes of up to `maxBatch`
 * rows, at most `concurrency` at a time; each finished write starts the next. Nothing runs while the queue is
 * empty: no timer, no loop.
 */
export class BufferedRoutingLog implements RoutingLog {
  readonly #writer: RowWriter;
  readonly #options: BufferedRoutingLogOptions;
  #queue: RoutingRow[] = [];
  #head = 0;
  #writes = 0;
  #rowsInFlight = 0;
  #scheduled = false;
  #closed = false;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #reported = { dropped: 0, failed: 0, at: Number.NEGATIVE_INFINITY };
  #lastError: string | undefined;
  #reportTimer: ReturnType<typeof setTimeout> | undefined;
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
    if (this.#closed || this.#queue.length - this.#head >= this.#options.capacity) {
      this.#dropped++;
      this.#report(false);
      return;
    }
    this.#queue.push(row);
    if (!this.#scheduled) {
      // Once per tick: the router logs a whole batch synchronously, then the pump writes it in large chunks.
      this.#scheduled = true;
      queueMicrotask(this.#pump);
    }
  }

  readonly #pump = (): void => {
    this.#scheduled = false;
    const { maxBatch, concurrency } = this.#options;
    while (this.#head < this.#queue.length && this.#writes < concurrency) {
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
    if (this.#head === this.#queue.length && this.#writes === 0) {
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
      () => this.#finish(rows.length, 0, undefined),
      (error: unknown) => {
        const lost = error instanceof RowWriteError
          ? Math.min(rows.length, Math.max(0, error.failedRows))
          : rows.length;
        this.#finish(rows.length, lost, error);
      },
    );
  }

  #finish(rows: number, lost: number, error: unknown): void {
    this.#writes--;
    this.#rowsInFlight -= rows;
    this.#written += rows - lost;
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
    if (dropped === 0 && failed === 0) return;
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
    this.#reported = { dropped: this.#dropped, failed: this.#failed, at: now };
    const error = this.#lastError;
    this.#lastError = undefined;
    this.#options.logger.warn(
      { dropped, failed, totalDropped: this.#dropped, totalFailed: this.#failed, error },
      "metadata rows lost while Cassandra is slow or unavailable; routing goes on",
    );
  }

  stats(): RoutingLogStats {
    return {
      written: this.#written,
      dropped: this.#dropped,
      failed: this.#failed,
      pending: this.#queue.length - this.#head + this.#rowsInFlight,
    };
  }

  async flush(timeoutMs: number): Promise<RoutingLogStats> {
    if (this.#head < this.#queue.length || this.#writes > 0) {
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

  async close(timeoutMs: number): Promise<RoutingLogStats> {
    this.#closed = true;
    const stats = await this.flush(timeoutMs);
    this.#report(true);
    return stats;
  }
}

/** For when the metadata log is turned off (the benchmark): takes every row and records nothing. */
export class NoRoutingLog implements RoutingLog {
  log(_row: RoutingRow): void {}

  stats(): RoutingLogStats {
    return { written: 0, dropped: 0, failed: 0, pending: 0 };
  }

  flush(_timeoutMs: number): Promise<RoutingLogStats> {
    return Promise.resolve(this.stats());
  }

  close(timeoutMs: number): Promise<RoutingLogStats> {
    return this.flush(timeoutMs);
  }
}

/**
 * Rows per unlogged batch. Cassandra counts about 320 bytes a row, so 10 rows stay under both its 5 KiB
 * batch-size warning and its 10-partition unlogged-batch warning.
 */
export const rowsPerBatch = 10;

/**
 * Writes rows into `<keyspace>.routing_metadata` with a prepared INSERT, in unlogged batches of
 * {@link rowsPerBatch}, all batches of a write at once, at LOCAL_ONE (the log is best effort; a lost row costs a
 * line of a trace). The table's default TTL expires them. A CPU profile of the router showed the driver's
 * per-request work as the metadata log's largest cost; batches of 10 routed about 35 % more messages per second
 * than one request per row (docs/benchmarks.md).
 */
export class CassandraRowWriter implements RowWriter {
  readonly #client: cassandra.Client;
  readonly #insert: string;
  readonly #options = {
    prepare: true,
    isIdempotent: true,
    consistency: cassandra.types.consistencies.localOne,
  };

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#insert = `INSERT INTO ${keyspace}.routing_metadata (request_id, routed_at, hop_id, worker_name,
      source_topic, target_topic, route_id, success, processing_time_ms, reason, source_partition, source_offset)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  }

  /** @throws {RowWriteError} naming how many rows were not stored and the first error's message */
  async write(rows: readonly RoutingRow[]): Promise<void> {
    const groups: RoutingRow[][] = [];
    for (let i = 0; i < rows.length; i += rowsPerBatch) groups.push(rows.slice(i, i + rowsPerBatch));
    const results = await Promise.allSettled(groups.map((group) => this.#insertRows(group)));
    let failed = 0;
    let first: unknown;
    for (let i = 0; i < results.length; i++) {
      const result = results[i];
      if (result.status === "rejected") {
        if (failed === 0) first = result.reason;
        failed += groups[i].length;
      }
    }
    if (failed > 0) {
      throw new RowWriteError(
        `${failed} of ${rows.length} routing_metadata rows were not written: ${describe(first)}`,
        failed,
      );
    }
  }

  /**
   * Several rows in one unlogged batch: one request instead of one per row. The profile of the router showed
   * the driver's per-request work as the largest cost of the metadata log; rows stay independent (no logged
   * batch, no atomicity needed), and the batch stays under Cassandra's 5 KiB batch-size warning.
   */
  async #insertRows(rows: readonly RoutingRow[]): Promise<void> {
    if (rows.length === 1) return this.#insertRow(rows[0]);
    await this.#client.batch(rows.map((r) => ({ query: this.#insert, params: this.#params(r) })), {
      ...this.#options,
      logged: false,
    });
  }

  async #insertRow(r: RoutingRow): Promise<void> {
    await this.#client.execute(this.#insert, this.#params(r), this.#options);
  }

  #params(r: RoutingRow): unknown[] {
    const { TimeUuid, Long } = cassandra.types;
    return [
      r.requestId,
      r.routedAt,
      TimeUuid.fromDate(r.routedAt),
      r.workerName,
      r.sourceTopic,
      r.targetTopic,
      r.routeId,
      r.success,
      r.processingTimeMs,
      // unset, not null: a null would write a tombstone into every successful hop's row.
      r.reason ?? cassandra.types.unset,
      r.sourcePartition,
      Long.fromString(r.sourceOffset),
    ];
  }
}
