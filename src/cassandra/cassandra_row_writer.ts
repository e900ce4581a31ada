/**
 * Writes the metadata log's rows into Cassandra's `routing_metadata` table, and a tally of them per route and
 * ten-minute bucket into `route_tallies` (for `chain stats`).
 *
 * @module
 */
import cassandra from "cassandra-driver";
import { Buffer } from "node:buffer";
import type { RoutingRow } from "../routing/routing_log.ts";
import { RowWriteError, type RowWriter } from "../routing/buffered_routing_log.ts";
import { NO_ROUTE_KEY, ROUTE_BUCKET_MS } from "./schema.ts";
import { bucketStart } from "../stats/route_stats.ts";
import { tallyOf } from "../stats/route_tally.ts";

/** The `route_tallies` partition key of a row: its route (or {@link NO_ROUTE_KEY}) and its bucket's start. */
export function routeBucketOf(
  r: Pick<RoutingRow, "routeId" | "routedAt">,
): { routeKey: string; bucket: Date } {
  return {
    routeKey: r.routeId === "" ? NO_ROUTE_KEY : r.routeId,
    bucket: new Date(bucketStart(r.routedAt.getTime(), ROUTE_BUCKET_MS)),
  };
}

/**
 * The row's `hop_id`: a time UUID of `routedAt` whose node and clock fields are the source partition and offset
 * instead of random bytes, so writing the same row again (a retry after a timeout) overwrites it rather than
 * adding a second row. One record is routed once per attempt, and each attempt has its own `routedAt`.
 */
export function hopId(r: RoutingRow): cassandra.types.TimeUuid {
  const node = Buffer.alloc(6);
  node.writeUIntBE(Number(BigInt(r.sourceOffset) & 0xffff_ffff_ffffn), 0, 6);
  const clock = Buffer.alloc(2);
  clock.writeUInt16BE(r.sourcePartition & 0x3fff);
  return cassandra.types.TimeUuid.fromDate(r.routedAt, 0, node, clock);
}

/**
 * Rows per unlogged batch. Cassandra counts about 320 bytes a row, so 10 rows stay under both its 5 KiB
 * batch-size warning and its 10-partition unlogged-batch warning.
 */
export const rowsPerBatch = 10;

/**
 * Writes rows into `<keyspace>.routing_metadata` with a prepared INSERT, in unlogged batches of
 * {@link rowsPerBatch}, all batches of a write at once, at LOCAL_ONE (the log is best effort; a lost row costs a
 * line of a trace). The table's default TTL expires them. The rows of each (route, bucket) of a write also go
 * into `<keyspace>.route_tallies` as one tally row, in the same round of requests. The tally's id is the hop id
 * of its group's first row, so a retried write of the same rows overwrites both tables' rows. A row counts as
 * failed when either write of it fails.
 *
 * A CPU profile of the router showed the driver's per-request work as the metadata log's largest cost; batches
 * of 10 routed about 35 % more messages per second than one request per row. A second row per hop (a per-hop
 * stats table, before the tallies) halved the router's rate with the log on: Cassandra shares the machine's two
 * cores, and its cost follows the rows written (docs/benchmarks.md).
 */
export class CassandraRowWriter implements RowWriter {
  readonly #client: cassandra.Client;
  readonly #insert: string;
  readonly #insertTally: string;
  readonly #options = {
    prepare: true,
    isIdempotent: true,
    consistency: cassandra.types.consistencies.localOne,
  };

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#insert = `INSERT INTO ${keyspace}.routing_metadata (request_id, routed_at, hop_id, worker_name,
      source_topic, target_topic, route_id, success, processing_time_ms, reason, source_partition, source_offset,
      trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    this.#insertTally = `INSERT INTO ${keyspace}.route_tallies (route_id, bucket, routed_at, tally_id,
      last_routed_at, hops, succeeded, samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
  }

  /** @throws {RowWriteError} naming how many rows were not stored and the first error's message */
  async write(rows: readonly RoutingRow[]): Promise<void> {
    const groups: number[][] = [];
    for (let i = 0; i < rows.length; i += rowsPerBatch) {
      groups.push(Array.from({ length: Math.min(rowsPerBatch, rows.length - i) }, (_, j) => i + j));
    }
    const byRoute = new Map<string, number[]>();
    for (let i = 0; i < rows.length; i++) {
      const { routeKey, bucket } = routeBucketOf(rows[i]);
      const key = `${bucket.getTime()} ${routeKey}`;
      const group = byRoute.get(key);
      if (group) group.push(i);
      else byRoute.set(key, [i]);
    }
    const tallies = [...byRoute.values()];
    const results = await Promise.allSettled([
      ...groups.map((group) => this.#insertRows(group.map((i) => this.#params(rows[i])))),
      ...tallies.map((group) =>
        this.#client.execute(this.#insertTally, this.#tallyParams(group.map((i) => rows[i])), this.#options)
      ),
    ]);
    const failedRows = new Set<number>();
    let first: unknown;
    const allGroups = [...groups, ...tallies];
    for (let i = 0; i < results.length; i++) {
      const result = results[i];
      if (result.status === "rejected") {
        if (first === undefined) first = result.reason;
        for (const row of allGroups[i]) failedRows.add(row);
      }
    }
    const failed = failedRows.size;
    if (failed > 0) {
      throw new RowWriteError(
        `${failed} of ${rows.length} routing_metadata rows were not written: ${
          first instanceof Error ? first.message : String(first)
        }`,
        failed,
        { cause: first },
      );
    }
  }

  /**
   * Several rows in one unlogged batch: one request instead of one per row. The profile of the router showed
   * the driver's per-request work as the largest cost of the metadata log; rows stay independent (no logged
   * batch, no atomicity needed), and the batch stays under Cassandra's 5 KiB batch-size warning.
   */
  async #insertRows(params: readonly unknown[][]): Promise<void> {
    const query = this.#insert;
    if (params.length === 1) {
      await this.#client.execute(query, params[0], this.#options);
      return;
    }
    await this.#client.batch(params.map((p) => ({ query, params: p })), { ...this.#options, logged: false });
  }

  /** The `route_tallies` row of `group` (rows of one route and bucket, in the order they were logged). */
  #tallyParams(group: readonly RoutingRow[]): unknown[] {
    const { routeKey, bucket } = routeBucketOf(group[0]);
    const tally = tallyOf(group);
    return [
      routeKey,
      bucket,
      tally.routedAt,
      hopId(group[0]),
      tally.lastRoutedAt,
      tally.hops,
      tally.succeeded,
      Buffer.from(tally.samples.buffer, tally.samples.byteOffset, tally.samples.byteLength),
    ];
  }

  #params(r: RoutingRow): unknown[] {
    const { Long } = cassandra.types;
    return [
      r.requestId,
      r.routedAt,
      hopId(r),
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
      r.traceId ?? cassandra.types.unset,
    ];
  }
}
