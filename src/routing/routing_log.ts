/**
 * The metadata log, as the command center sees it: one row per routing operation, handed over without waiting.
 * {@link BufferedRoutingLog} (`buffered_routing_log.ts`) writes them in the background through a row writer
 * such as `src/cassandra/cassandra_row_writer.ts`; the fake is `src/testing/memory_routing_log.ts`.
 *
 * @module
 */

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
  /** The W3C trace id (32 hex digits) the hop belongs to, from its `traceparent` header; absent when unknown. */
  traceId?: string;
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
