/**
 * The one place that creates chain's keyspace and tables; README's "Cassandra schema" cites the CQL below.
 *
 * Every statement is `IF NOT EXISTS`, so {@link ensureSchema} can run at every start, from several processes at
 * once: whichever creates a table first wins and the others change nothing. The driver waits for the nodes to
 * agree on the schema after each statement before the next one runs.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import { type Replication, replicationCql } from "./cassandra_client.ts";

/** One week: how long a routing_metadata row lives (the table's `default_time_to_live`). */
export const METADATA_TTL_SECONDS = 604_800;

const keyspacePattern = /^[a-z][a-z0-9_]{0,47}$/;

/**
 * Returns `keyspace` when it is a name chain may use in CQL unquoted.
 *
 * @throws {RangeError} unless it matches `^[a-z][a-z0-9_]{0,47}$`
 */
export function checkKeyspaceName(keyspace: string): string {
  if (!keyspacePattern.test(keyspace)) {
    throw new RangeError(
      `keyspace must be a lower-case letter then up to 47 lower-case letters, digits or _, got "${keyspace}"`,
    );
  }
  return keyspace;
}

/** `CREATE KEYSPACE IF NOT EXISTS`; an existing keyspace keeps the replication it has. */
export function keyspaceCql(keyspace: string, replication: Replication): string {
  return `CREATE KEYSPACE IF NOT EXISTS ${checkKeyspaceName(keyspace)} WITH replication = ${
    replicationCql(replication)
  }`;
}

/**
 * `routing_metadata`: one row per routing operation, kept one week. All hops of a request share the partition
 * `request_id`, in the order they happened (`routed_at`, then `hop_id`, a timeuuid of `routed_at` that keeps two
 * hops of the same millisecond apart). Ids, topics, outcome and timing only: there is no payload column.
 */
export function routingMetadataCql(keyspace: string): string {
  return `CREATE TABLE IF NOT EXISTS ${checkKeyspaceName(keyspace)}.routing_metadata (
  request_id text,
  routed_at timestamp,
  hop_id timeuuid,
  worker_name text,
  source_topic text,
  target_topic text,
  route_id text,
  success boolean,
  processing_time_ms double,
  reason text,
  source_partition int,
  source_offset bigint,
  trace_id text,
  PRIMARY KEY ((request_id), routed_at, hop_id)
) WITH CLUSTERING ORDER BY (routed_at ASC, hop_id ASC)
  AND default_time_to_live = ${METADATA_TTL_SECONDS}`;
}

/** Width of a `route_tallies` bucket: ten minutes, in milliseconds. */
export const ROUTE_BUCKET_MS = 600_000;

/** The `route_id` key under which `route_tallies` files hops that have no route (unknown worker, malformed). */
export const NO_ROUTE_KEY = "-";

/**
 * `route_tallies`: the hops of `routing_metadata` again, for `chain stats`, one row per route, ten-minute bucket
 * (`bucket` is its start) and metadata write rather than one per hop: `hops` and `succeeded` count them, and
 * `samples` keeps each hop's routed_at, outcome and processing time (src/stats/route_tally.ts), so the window's
 * figures stay exact. `chain stats` reads a bounded number of partitions (routes × buckets) instead of scanning
 * the table. Hops without a route (`route_id` "") are filed under {@link NO_ROUTE_KEY}. `routed_at` is the
 * earliest hop's; `tally_id` is the `hop_id` of the write's first hop of the group, so a rewrite of the same hops
 * (a retry) overwrites the row. Same TTL as the hops.
 */
export function routeTalliesCql(keyspace: string): string {
  return `CREATE TABLE IF NOT EXISTS ${checkKeyspaceName(keyspace)}.route_tallies (
  route_id text,
  bucket timestamp,
  routed_at timestamp,
  tally_id timeuuid,
  last_routed_at timestamp,
  hops int,
  succeeded int,
  samples blob,
  PRIMARY KEY ((route_id, bucket), routed_at, tally_id)
) WITH CLUSTERING ORDER BY (routed_at ASC, tally_id ASC)
  AND default_time_to_live = ${METADATA_TTL_SECONDS}`;
}

/**
 * `orders`: service-2's saved orders (business data, kept). One row per request; `items` is the JSON of the
 * items array; `status` is `fulfilled` or `rejected`; `saved_at`, `emailed_at` and `stock_taken_at` record which
 * fulfilment steps are done, so a redelivered order repeats none of them.
 */
export function ordersCql(keyspace: string): string {
  return `CREATE TABLE IF NOT EXISTS ${checkKeyspaceName(keyspace)}.orders (
  request_id uuid PRIMARY KEY,
  order_id text,
  user_id text,
  email text,
  amount double,
  items text,
  status text,
  reason text,
  processed_by text,
  validated_at timestamp,
  saved_at timestamp,
  emailed_at timestamp,
  stock_taken_at timestamp
)`;
}

/** `inventory`: the initial stock of each sku; the level is this minus the sku's `inventory_movements`. */
export function inventoryCql(keyspace: string): string {
  return `CREATE TABLE IF NOT EXISTS ${checkKeyspaceName(keyspace)}.inventory (
  sku text PRIMARY KEY,
  initial_stock int
)`;
}

/**
 * `inventory_movements`: the stock ledger, one row per (sku, order). Writing the same (sku, request_id) again
 * overwrites the row, so a redelivered order never takes stock twice; a sku's level is
 * `initial_stock - SUM(quantity)` over its partition.
 */
export function inventoryMovementsCql(keyspace: string): string {
  return `CREATE TABLE IF NOT EXISTS ${checkKeyspaceName(keyspace)}.inventory_movements (
  sku text,
  request_id uuid,
  quantity int,
  moved_at timestamp,
  PRIMARY KEY ((sku), request_id)
)`;
}

/**
 * `route_changes`: the audit trail of the route registry, one row per change published to the routes topic, kept
 * forever (`default_time_to_live = 0`). A worker's history is one partition, newest first; `change_id` is a
 * timeuuid of `changed_at`. `old_route` / `new_route` are the route's JSON (null: no route before / deleted);
 * `routes_topic` and `routes_offset` say which record of the topic made the change.
 */
export function routeChangesCql(keyspace: string): string {
  return `CREATE TABLE IF NOT EXISTS ${checkKeyspaceName(keyspace)}.route_changes (
  worker_name text,
  changed_at timestamp,
  change_id timeuuid,
  actor text,
  action text,
  old_route text,
  new_route text,
  routes_topic text,
  routes_offset bigint,
  PRIMARY KEY ((worker_name), changed_at, change_id)
) WITH CLUSTERING ORDER BY (changed_at DESC, change_id DESC)
  AND default_time_to_live = 0`;
}

/**
 * `dlq_replays`: the audit trail of `chain dlq replay`, one row per dead letter replayed, kept forever
 * (`default_time_to_live = 0`, as `route_changes`): it must outlive the dead letter it marks as replayed, however
 * long the dead-letter topic keeps it. Filed by the dead letter's `request_id` (else
 * `invalid:<dlq topic>/<partition>/<offset>`), so `chain trace` reads a request's replays from one partition and
 * `chain dlq` the replays of the dead letters it lists by `IN`; a request's replays oldest first. `dlq_timestamp`
 * is the dead letter's Kafka timestamp: a topic deleted and made again starts its offsets anew, and a replay of
 * the old record must not mark the new one at the same offset.
 */
export function dlqReplaysCql(keyspace: string): string {
  return `CREATE TABLE IF NOT EXISTS ${checkKeyspaceName(keyspace)}.dlq_replays (
  request_id text,
  replayed_at timestamp,
  replay_id timeuuid,
  actor text,
  dlq_topic text,
  dlq_partition int,
  dlq_offset bigint,
  dlq_timestamp timestamp,
  reason text,
  target_topic text,
  PRIMARY KEY ((request_id), replayed_at, replay_id)
) WITH CLUSTERING ORDER BY (replayed_at ASC, replay_id ASC)
  AND default_time_to_live = 0`;
}

/** Every statement {@link ensureSchema} runs, in order: the keyspace, then its tables. */
export function schemaStatements(keyspace: string, replication: Replication): string[] {
  return [
    keyspaceCql(keyspace, replication),
    routingMetadataCql(keyspace),
    routeTalliesCql(keyspace),
    ordersCql(keyspace),
    inventoryCql(keyspace),
    inventoryMovementsCql(keyspace),
    routeChangesCql(keyspace),
    dlqReplaysCql(keyspace),
  ];
}

/**
 * Creates the keyspace and tables that are missing; running it again, or from several processes at once, is fine.
 *
 * @throws {RangeError} when `keyspace` is not a valid name (before anything is sent)
 */
export async function ensureSchema(
  client: cassandra.Client,
  keyspace: string,
  replication: Replication,
): Promise<void> {
  for (const statement of schemaStatements(keyspace, replication)) {
    await client.execute(statement, [], { prepare: false });
  }
  for (const statement of columnAdditions(keyspace)) {
    try {
      await client.execute(statement, [], { prepare: false });
    } catch (error) {
      // The column is there already (the table was made with it, or another process added it first).
      if (!/already exist|conflicts with an existing column/i.test((error as Error).message)) throw error;
    }
  }
}

/**
 * Columns added since a table was first released, as `ALTER TABLE ... ADD`: a table made by an older chain gets
 * them at the next start. CQL has no `ADD IF NOT EXISTS` before Cassandra 5, so {@link ensureSchema} ignores the
 * "already exists" error.
 */
export function columnAdditions(keyspace: string): string[] {
  // routing_metadata.trace_id: the W3C trace id of the hop (see src/tracing/).
  return [`ALTER TABLE ${checkKeyspaceName(keyspace)}.routing_metadata ADD trace_id text`];
}
