/**
 * The command center's last dead-lettered decisions, for the dashboard: a ring of the newest few, taken from the
 * routing log's rows (which never hold a payload) by a {@link FailureTap} in front of the real metadata log, and
 * a per-route count of failed hops (a disabled route's), so routing itself needs no change.
 *
 * @module
 */
import type { RoutingLog, RoutingLogStats, RoutingRow } from "../routing/routing_log.ts";
import type { Failure } from "./dashboard_model.ts";

/** The newest `capacity` failures, and failed hops per route id since start. */
export class RecentFailures {
  readonly capacity: number;
  readonly #ring: (Failure | undefined)[];
  #next = 0;
  readonly #byRoute = new Map<string, number>();

  constructor(capacity = 20) {
    if (!(capacity >= 1)) throw new RangeError(`capacity ${capacity}`);
    this.capacity = capacity;
    this.#ring = new Array(capacity);
  }

  /** Notes one failed hop. A successful row is ignored. */
  add(row: RoutingRow): void {
    if (row.success) return;
    const text = row.reason ?? "";
    const colon = text.indexOf(": ");
    this.#ring[this.#next] = {
      at: row.routedAt.toISOString(),
      requestId: row.requestId,
      workerName: row.workerName,
      routeId: row.routeId,
      reason: colon >= 0 ? text.slice(0, colon) : text,
      detail: colon >= 0 ? text.slice(colon + 2) : "",
    };
    this.#next = (this.#next + 1) % this.capacity;
    if (row.routeId !== "") this.#byRoute.set(row.routeId, (this.#byRoute.get(row.routeId) ?? 0) + 1);
  }

  /** The kept failures, newest first. */
  list(): Failure[] {
    const out: Failure[] = [];
    for (let i = 1; i <= this.capacity; i++) {
      const failure = this.#ring[(this.#next - i + this.capacity) % this.capacity];
      if (failure !== undefined) out.push(failure);
    }
    return out;
  }

  /** Failed hops per route id since start. */
  get failedByRoute(): ReadonlyMap<string, number> {
    return this.#byRoute;
  }
}

/** A routing log that hands every row to `inner` and notes the failed ones in `failures`. */
export class FailureTap implements RoutingLog {
  readonly #inner: RoutingLog;
  readonly #failures: RecentFailures;

  constructor(inner: RoutingLog, failures: RecentFailures) {
    this.#inner = inner;
    this.#failures = failures;
  }

  log(row: RoutingRow): void {
    if (!row.success) this.#failures.add(row);
    this.#inner.log(row);
  }

  flush(timeoutMs: number): Promise<RoutingLogStats> {
    return this.#inner.flush(timeoutMs);
  }

  stats(): RoutingLogStats {
    return this.#inner.stats();
  }

  close(timeoutMs: number): Promise<RoutingLogStats> {
    return this.#inner.close(timeoutMs);
  }
}
