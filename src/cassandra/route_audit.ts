/**
 * The audit trail of route changes: one `route_changes` row per change published to the routes topic (by
 * `chain routes` or by `chain init`'s seeding), kept forever (no TTL). See `routeChangesCql` in schema.ts.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import type { Route } from "../routing/route_registry.ts";
import { encodeRoute } from "../routing/live_route_registry.ts";

/** One change, as audited. */
export interface RouteAuditRow {
  workerName: string;
  changedAt: Date;
  /** Who made it: `--actor` / `CHAIN_ACTOR`, else the OS user. */
  actor: string;
  /** `set`, `enable`, `disable`, `delete`, `apply` (chain routes apply) or `seed`. */
  action: string;
  before: Route | undefined;
  after: Route | undefined;
  /** Where the change was published. */
  topic: string;
  offset: string;
}

/** A row read back from `route_changes`. */
export interface StoredRouteChange {
  workerName: string;
  changedAt: Date;
  actor: string;
  action: string;
  /** The route's JSON before and after, or null when there was none (new route) or is none (deleted). */
  oldRoute: string | null;
  newRoute: string | null;
  topic: string;
  offset: string;
}

/** Writes and reads `<keyspace>.route_changes`. */
export class RouteAudit {
  readonly #client: cassandra.Client;
  readonly #insert: string;
  readonly #select: string;

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#insert =
      `INSERT INTO ${keyspace}.route_changes (worker_name, changed_at, change_id, actor, action, ` +
      `old_route, new_route, routes_topic, routes_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    this.#select = `SELECT worker_name, changed_at, actor, action, old_route, new_route, routes_topic, ` +
      `routes_offset FROM ${keyspace}.route_changes WHERE worker_name = ?`;
  }

  /** Writes one row per change. */
  async write(rows: readonly RouteAuditRow[]): Promise<void> {
    for (const row of rows) {
      await this.#client.execute(
        this.#insert,
        [
          row.workerName,
          row.changedAt,
          cassandra.types.TimeUuid.fromDate(row.changedAt),
          row.actor,
          row.action,
          row.before === undefined ? null : encodeRoute(row.before),
          row.after === undefined ? null : encodeRoute(row.after),
          row.topic,
          cassandra.types.Long.fromString(row.offset),
        ],
        { prepare: true, consistency: cassandra.types.consistencies.localQuorum },
      );
    }
  }

  /** The changes of one worker's route, newest first. */
  async history(workerName: string): Promise<StoredRouteChange[]> {
    const result = await this.#client.execute(this.#select, [workerName], { prepare: true });
    return result.rows.map((r) => ({
      workerName: r.get("worker_name"),
      changedAt: r.get("changed_at"),
      actor: r.get("actor"),
      action: r.get("action"),
      oldRoute: r.get("old_route"),
      newRoute: r.get("new_route"),
      topic: r.get("routes_topic"),
      offset: String(r.get("routes_offset")),
    }));
  }
}
