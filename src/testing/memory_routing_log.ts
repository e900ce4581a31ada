/**
 * An in-memory {@link RoutingLog} for unit tests: keeps every row it is given.
 *
 * @module
 */
import type { RoutingLog, RoutingLogStats, RoutingRow } from "../routing/routing_log.ts";

/** Records rows in order; writes are instant. */
export class MemoryRoutingLog implements RoutingLog {
  readonly rows: RoutingRow[] = [];

  log(row: RoutingRow): void {
    this.rows.push(row);
  }

  stats(): RoutingLogStats {
    return { written: this.rows.length, dropped: 0, failed: 0, pending: 0 };
  }

  flush(_timeoutMs: number): Promise<RoutingLogStats> {
    return Promise.resolve(this.stats());
  }

  close(timeoutMs: number): Promise<RoutingLogStats> {
    return this.flush(timeoutMs);
  }
}
