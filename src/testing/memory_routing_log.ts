/**
 * An in-memory {@link RoutingLog} for unit tests: keeps every row it is given, as BufferedRoutingLog would write
 * it (src/routing/routing_log_contract.ts holds both to the same behaviour).
 *
 * @module
 */
import type { RoutingLog, RoutingLogStats, RoutingRow } from "../routing/routing_log.ts";

/** Records rows in order; writes are instant. After close() it drops rows and counts them, as the real log does. */
export class MemoryRoutingLog implements RoutingLog {
  readonly rows: RoutingRow[] = [];
  /** When set, every later row fails to be written and is counted as failed (the store is down). */
  failWrites = false;
  #closed = false;
  #dropped = 0;
  #failed = 0;

  log(row: RoutingRow): void {
    if (this.#closed) this.#dropped++;
    else if (this.failWrites) this.#failed++;
    else this.rows.push(row);
  }

  stats(): RoutingLogStats {
    return { written: this.rows.length, dropped: this.#dropped, failed: this.#failed, pending: 0 };
  }

  flush(_timeoutMs: number): Promise<RoutingLogStats> {
    return Promise.resolve(this.stats());
  }

  close(timeoutMs: number): Promise<RoutingLogStats> {
    this.#closed = true;
    return this.flush(timeoutMs);
  }
}
