/**
 * Writes the metadata log's rows into Cassandra's `routing_metadata` table.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import { Buffer } from "node:buffer";
import type { RoutingRow } from "../routing/routing_log.ts";
import { RowWriteError, type RowWriter } from "../routing/buffered_routing_log.ts";

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
 * line of a trace). The table's default TTL expires them. A CPU profile of the router showed the driver's
 * per-request work as the metadata log's largest cost; batches of 10 routed about 35 % more messages per second
 * than one request per row (docs/benchmarks.md).
 */
export class CassandraRowWriter implements RowWriter {
  readonly #client: cassandra.Client;
  readonly #insert: string;
  readonly #options = {
    prepare: true,
    isIdempotent: true,
    consistency: cassandra.types.consistencies.localOne,
  };

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#insert = `INSERT INTO ${keyspace}.routing_metadata (request_id, routed_at, hop_id, worker_name,
      source_topic, target_topic, route_id, success, processing_time_ms, reason, source_partition, source_offset)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  }

  /** @throws {RowWriteError} naming how many rows were not stored and the first error's message */
  async write(rows: readonly RoutingRow[]): Promise<void> {
    const groups: RoutingRow[][] = [];
    for (let i = 0; i < rows.length; i += rowsPerBatch) groups.push(rows.slice(i, i + rowsPerBatch));
    const results = await Promise.allSettled(groups.map((group) => this.#insertRows(group)));
    let failed = 0;
    let first: unknown;
    for (let i = 0; i < results.length; i++) {
      const result = results[i];
      if (result.status === "rejected") {
        if (failed === 0) first = result.reason;
        failed += groups[i].length;
      }
    }
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
  async #insertRows(rows: readonly RoutingRow[]): Promise<void> {
    if (rows.length === 1) return this.#insertRow(rows[0]);
    await this.#client.batch(rows.map((r) => ({ query: this.#insert, params: this.#params(r) })), {
      ...this.#options,
      logged: false,
    });
  }

  async #insertRow(r: RoutingRow): Promise<void> {
    await this.#client.execute(this.#insert, this.#params(r), this.#options);
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
    ];
  }
}
