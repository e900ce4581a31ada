/**
 * The metadata log: one row per routing operation, written to Cassandra in the background so routing never
 * waits for it. Rows wait in a bounded buffer; when Cassandra is slow or down and the buffer is full, new rows
 * are dropped and counted, and failed writes are counted; both are logged as counts, at most once per interval.
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
  reason?: string;
  sourcePartition: number;
  sourceOffset: string;
}

/** Counts since start. */
export interface RoutingLogStats {
  written: number;
  dropped: number;
  failed: number;
  pending: number;
}

/** Where the router records hops. `log` never blocks and never throws. */
export interface RoutingLog {
  log(row: RoutingRow): void;
  flush(timeoutMs: number): Promise<RoutingLogStats>;
  stats(): RoutingLogStats;
  close(timeoutMs: number): Promise<RoutingLogStats>;
}

/** Writes rows somewhere durable; the I/O seam of {@link BufferedRoutingLog}. */
export interface RowWriter {
  write(rows: readonly RoutingRow[]): Promise<void>;
}

/** Sizes of the buffer and of the background writes. */
export interface BufferOptions {
  /** Rows held at most; more are dropped and counted. */
  capacity: number;
  /** Rows per write. */
  maxBatch: number;
  /** Writes in flight at once. */
  concurrency: number;
  logger: Logger;
  /** At most one warning per this many milliseconds about drops and failures. */
  reportEveryMs: number;
}

/** A bounded, non-blocking {@link RoutingLog} over a {@link RowWriter}. */
export class BufferedRoutingLog implements RoutingLog {
  readonly #writer: RowWriter;
  readonly #options: BufferOptions;
  #rows: RoutingRow[] = [];
  #head = 0;
  #inFlight = 0;
  #scheduled = false;
  #closed = false;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #reported = { dropped: 0, failed: 0, at: 0 };
  #idle: (() => void)[] = [];

  constructor(writer: RowWriter, options: BufferOptions) {
    this.#writer = writer;
    this.#options = options;
  }

  log(row: RoutingRow): void {
    if (this.#closed || this.#rows.length - this.#head >= this.#options.capacity) {
      this.#dropped++;
      this.#report();
      return;
    }
    this.#rows.push(row);
    if (!this.#scheduled) {
      // Once per tick: the router logs a whole batch synchronously, then the pump writes it in large chunks.
      this.#scheduled = true;
      queueMicrotask(() => this.#pump());
    }
  }

  #pump(): void {
    this.#scheduled = false;
    while (this.#head < this.#rows.length && this.#inFlight < this.#options.concurrency) {
      const end = Math.min(this.#rows.length, this.#head + this.#options.maxBatch);
      const chunk = this.#rows.slice(this.#head, end);
      this.#head = end;
      this.#inFlight++;
      this.#writer.write(chunk).then(
        () => {
          this.#written += chunk.length;
        },
        (error: unknown) => {
          this.#failed += chunk.length;
          this.#report(error);
        },
      ).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
    if (this.#head > 4096 && this.#head * 2 > this.#rows.length) {
      this.#rows = this.#rows.slice(this.#head);
      this.#head = 0;
    }
    if (this.#head >= this.#rows.length && this.#inFlight === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #report(error?: unknown): void {
    const now = Date.now();
    if (now - this.#reported.at < this.#options.reportEveryMs) return;
    const dropped = this.#dropped - this.#reported.dropped;
    const failed = this.#failed - this.#reported.failed;
    if (dropped === 0 && failed === 0) return;
    this.#reported = { dropped: this.#dropped, failed: this.#failed, at: now };
    this.#options.logger.warn(
      {
        dropped,
        failed,
        totalDropped: this.#dropped,
        totalFailed: this.#failed,
        error: (error as Error)?.message,
      },
      "metadata rows lost while Cassandra is slow or unavailable; routing goes on",
    );
  }

  stats(): RoutingLogStats {
    return {
      written: this.#written,
      dropped: this.#dropped,
      failed: this.#failed,
      pending: this.#rows.length - this.#head + this.#inFlight,
    };
  }

  async flush(timeoutMs: number): Promise<RoutingLogStats> {
    if (this.#head < this.#rows.length || this.#inFlight > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idle.push(resolve)),
        new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs)),
      ]);
      clearTimeout(timer);
    }
    return this.stats();
  }

  async close(timeoutMs: number): Promise<RoutingLogStats> {
    const stats = await this.flush(timeoutMs);
    this.#closed = true;
    this.#reported.at = 0;
    this.#report();
    return stats;
  }
}

/** Used when the metadata log is turned off (`METADATA_LOG=off`): records nothing. */
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

/** Writes rows into `routing_metadata` with a prepared INSERT per row, all rows of a write at once. */
export class CassandraRowWriter implements RowWriter {
  readonly #client: cassandra.Client;
  readonly #insert: string;

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#insert = `INSERT INTO ${keyspace}.routing_metadata (request_id, routed_at, hop_id, worker_name,
      source_topic, target_topic, route_id, success, processing_time_ms, reason, source_partition, source_offset)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  }

  async write(rows: readonly RoutingRow[]): Promise<void> {
    const { TimeUuid, Long } = cassandra.types;
    const options = { prepare: true, consistency: cassandra.types.consistencies.localOne };
    await Promise.all(rows.map((r) =>
      this.#client.execute(this.#insert, [
        r.requestId,
        r.routedAt,
        TimeUuid.fromDate(r.routedAt),
        r.workerName,
        r.sourceTopic,
        r.targetTopic,
        r.routeId,
        r.success,
        r.processingTimeMs,
        r.reason ?? null,
        r.sourcePartition,
        Long.fromString(r.sourceOffset),
      ], options)
    ));
  }
}
