/**
 * The one place that creates chain's keyspace and tables. README's "Cassandra schema" describes them.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import { type Replication, replicationCql } from "./cassandra_client.ts";

/** One week: how long routing metadata is kept. */
export const METADATA_TTL_SECONDS = 604_800;

const keyspaceName = /^[a-z][a-z0-9_]{0,47}$/;

/** The CQL that creates the tables in `keyspace`, in order. */
export function tableStatements(keyspace: string): string[] {
  return [
    // One row per routing operation; all hops of a request in one partition, in time order. No payload column.
    `CREATE TABLE IF NOT EXISTS ${keyspace}.routing_metadata (
      request_id text, routed_at timestamp, hop_id timeuuid,
      worker_name text, source_topic text, target_topic text, route_id text,
      success boolean, processing_time_ms double, reason text,
      source_partition int, source_offset bigint,
      PRIMARY KEY ((request_id), routed_at, hop_id)
    ) WITH CLUSTERING ORDER BY (routed_at ASC, hop_id ASC)
      AND default_time_to_live = ${METADATA_TTL_SECONDS}`,
    // service-2's orders; the *_at columns record which fulfilment steps are done.
    `CREATE TABLE IF NOT EXISTS ${keyspace}.orders (
      request_id uuid PRIMARY KEY, order_id text, user_id text, email text, amount double, items text,
      status text, reason text, processed_by text, validated_at timestamp,
      saved_at timestamp, emailed_at timestamp, stock_taken_at timestamp
    )`,
    `CREATE TABLE IF NOT EXISTS ${keyspace}.inventory (sku text PRIMARY KEY, initial_stock int)`,
    // A stock ledger: one row per (sku, order), so taking stock again for the same order changes nothing.
    `CREATE TABLE IF NOT EXISTS ${keyspace}.inventory_movements (
      sku text, request_id uuid, quantity int, moved_at timestamp,
      PRIMARY KEY ((sku), request_id)
    )`,
  ];
}

/** Creates the keyspace and tables when missing; safe to run again and from several processes. */
export async function ensureSchema(
  client: cassandra.Client,
  keyspace: string,
  replication: Replication,
): Promise<void> {
  if (!keyspaceName.test(keyspace)) {
    throw new RangeError(`keyspace must be lower-case letters, digits and _ (max 48), got "${keyspace}"`);
  }
  await client.execute(
    `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replicationCql(replication)}`,
    [],
    { prepare: false },
  );
  for (const statement of tableStatements(keyspace)) await client.execute(statement, [], { prepare: false });
}
