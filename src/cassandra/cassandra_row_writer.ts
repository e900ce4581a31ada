/**
 * Writes the metadata log's rows into Cassandra's `routing_metadata` table, and hands the hops it stored to the
 * tallies of `chain stats` (src/stats/route_tally_buffer.ts), which {@link CassandraTallyWriter} writes into
 * `route_tallies`, one row per route, ten-minute bucket and interval.
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
import type { RouteTallyBuffer, TallyWriter } from "../stats/route_tally_buffer.ts";

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

/** The `route_tallies` group of a row: its route key and bucket start, as one string. */
export function tallyGroupOf(row: RoutingRow): string {
  const { routeKey, bucket } = routeBucketOf(row);
  return `${bucket.getTime()} ${routeKey}`;
}

/**
 * Writes rows into `<keyspace>.routing_metadata` with a prepared INSERT, in unlogged batches of
 * {@link rowsPerBatch}, all batches of a write at once, at LOCAL_ONE (the log is best effort; a lost row costs a
 * line of a trace). The table's default TTL expires them. The rows of each batch that was stored go to
 * `tallies`, when given, each row once: a retry of a write that failed in part rewrites every row, but tallies
 * only those it had not tallied (the buffer retries a write as the same row objects).
 *
 * A CPU profile of the router showed the driver's per-request work as the metadata log's largest cost; batches
 * of 10 routed about 35 % more messages per second than one request per row. A second row per hop (a per-hop
 * stats table, before the tallies) halved the router's rate with the log on: Cassandra shares the machine's two
 * cores, and its cost follows the rows written (docs/benchmarks.md).
 */
export class CassandraRowWriter implements RowWriter {
  readonly #client: cassandra.Client;
  readonly #insert: string;
  readonly #tallies: Pick<RouteTallyBuffer, "add"> | undefined;
  readonly #tallied = new WeakSet<RoutingRow>();
  readonly #options = {
    prepare: true,
    isIdempotent: true,
    consistency: cassandra.types.consistencies.localOne,
  };

  constructor(client: cassandra.Client, keyspace: string, tallies?: Pick<RouteTallyBuffer, "add">) {
    this.#client = client;
    this.#tallies = tallies;
    this.#insert = `INSERT INTO ${keyspace}.routing_metadata (request_id, routed_at, hop_id, worker_name,
      source_topic, target_topic, route_id, success, processing_time_ms, reason, source_partition, source_offset,
      trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  }

  /** @throws {RowWriteError} naming how many rows were not stored and the first error's message */
  async write(rows: readonly RoutingRow[]): Promise<void> {
    const groups: RoutingRow[][] = [];
    for (let i = 0; i < rows.length; i += rowsPerBatch) groups.push(rows.slice(i, i + rowsPerBatch));
    const results = await Promise.allSettled(
      groups.map((group) => this.#insertRows(group.map((row) => this.#params(row)))),
    );
    let failed = 0;
    let first: unknown;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") this.#tally(groups[i]);
      else {
        failed += groups[i].length;
        first ??= result.reason;
      }
    });
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

  #tally(rows: readonly RoutingRow[]): void {
    if (!this.#tallies) return;
    const fresh = rows.filter((row) => !this.#tallied.has(row));
    for (const row of fresh) this.#tallied.add(row);
    if (fresh.length > 0) this.#tallies.add(fresh);
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

/**
 * Writes one `route_tallies` row per group of hops (one route and bucket): the tally's id is the hop id of the
 * group's first hop, so writing the same group again (a retry) overwrites the row.
 */
export class CassandraTallyWriter implements TallyWriter {
  readonly #client: cassandra.Client;
  readonly #insert: string;
  readonly #options = {
    prepare: true,
    isIdempotent: true,
    consistency: cassandra.types.consistencies.localOne,
  };

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#insert = `INSERT INTO ${keyspace}.route_tallies (route_id, bucket, routed_at, tally_id,
      last_routed_at, hops, succeeded, samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
  }

  async write(hops: readonly RoutingRow[]): Promise<void> {
    await this.#client.execute(this.#insert, this.#tallyParams(hops), this.#options);
  }

  /** The `route_tallies` row of `group` (hops of one route and bucket, in the order they were logged). */
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
}
