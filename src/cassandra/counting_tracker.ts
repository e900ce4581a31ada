/**
 * A cassandra-driver request tracker that counts what this process asks of Cassandra: each request the driver
 * sends (`execute` or `batch`, retries included, as the driver reports them to its tracker) and the rows they
 * name. A statement names one row, or one per key of an `IN ?` list (a bound array); a SELECT's rows count as
 * read, the rest as written. The driver's own traffic (connection heartbeats, prepares, schema reads) is not
 * reported to trackers and is not counted.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import type { RequestCounts } from "../observability/request_counts.ts";

type Query = string | Array<{ query: string; params?: unknown }>;

/** Rows a statement with `params` names: the length of its bound array (an `IN ?` list), else one. */
export function rowsNamed(params: unknown): number {
  if (!Array.isArray(params)) return 1;
  for (const value of params) if (Array.isArray(value)) return Math.max(1, value.length);
  return 1;
}

function isRead(query: string): boolean {
  return /^\s*select\b/i.test(query);
}

/**
 * The driver's tracker base class: its typings declare only an interface, but it checks `instanceof` the class
 * at run time.
 */
const TrackerBase = (cassandra as unknown as { tracker: { RequestTracker: new () => object } }).tracker
  .RequestTracker;

/** Counts every request the driver completes or fails into `counts`. */
export class CountingTracker extends TrackerBase implements cassandra.tracker.RequestTracker {
  readonly #counts: RequestCounts;

  constructor(counts: RequestCounts) {
    super();
    this.#counts = counts;
  }

  #count(query: Query, parameters: unknown): void {
    if (Array.isArray(query)) {
      this.#counts.request("cassandra", "batch");
      let rows = 0;
      for (const statement of query) rows += rowsNamed(statement.params);
      this.#counts.rows("written", rows);
      return;
    }
    this.#counts.request("cassandra", "execute");
    this.#counts.rows(isRead(query) ? "read" : "written", rowsNamed(parameters));
  }

  onSuccess(_host: unknown, query: Query, parameters: unknown): void {
    this.#count(query, parameters);
  }

  onError(_host: unknown, query: Query, parameters: unknown): void {
    this.#count(query, parameters);
  }

  shutdown(): void {}
}
