/**
 * The replays of dead letters in `<keyspace>.dlq_replays` (see `dlqReplaysCql` in schema.ts): written by `chain
 * dlq replay`, read by `chain dlq` (has this dead letter been replayed?) and by `chain trace` (a replay as a hop).
 *
 * @module
 */
import cassandra from "cassandra-driver";

/** One replay of one dead letter. */
export interface DlqReplayRow {
  /** The dead letter's request_id, else `invalid:<dlq topic>/<partition>/<offset>` (see replayKey()). */
  key: string;
  replayedAt: Date;
  actor: string;
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  /** The dead letter's Kafka timestamp (ms). */
  dlqTimestamp: number;
  reason: string;
  /** Where it was published. */
  targetTopic: string;
}

/** How many keys one `IN` query asks for. */
const IN_CHUNK = 100;

/** Writes and reads `dlq_replays`. */
export class DlqReplays {
  readonly #client: cassandra.Client;
  readonly #insert: string;
  readonly #select: string;

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#insert =
      `INSERT INTO ${keyspace}.dlq_replays (request_id, replayed_at, replay_id, actor, dlq_topic, ` +
      `dlq_partition, dlq_offset, dlq_timestamp, reason, target_topic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    this.#select =
      `SELECT request_id, replayed_at, actor, dlq_topic, dlq_partition, dlq_offset, dlq_timestamp, ` +
      `reason, target_topic FROM ${keyspace}.dlq_replays WHERE request_id IN ?`;
  }

  /** Writes one row per replay, at LOCAL_QUORUM. */
  async write(rows: readonly DlqReplayRow[]): Promise<void> {
    for (const row of rows) {
      await this.#client.execute(
        this.#insert,
        [
          row.key,
          row.replayedAt,
          cassandra.types.TimeUuid.fromDate(row.replayedAt),
          row.actor,
          row.dlqTopic,
          row.dlqPartition,
          cassandra.types.Long.fromString(row.dlqOffset),
          new Date(row.dlqTimestamp),
          row.reason,
          row.targetTopic,
        ],
        { prepare: true, consistency: cassandra.types.consistencies.localQuorum },
      );
    }
  }

  /** Every replay filed under one of `keys`, each key's oldest first. */
  async read(keys: readonly string[]): Promise<DlqReplayRow[]> {
    const unique = [...new Set(keys)];
    const out: DlqReplayRow[] = [];
    for (let i = 0; i < unique.length; i += IN_CHUNK) {
      const result = await this.#client.execute(this.#select, [unique.slice(i, i + IN_CHUNK)], {
        prepare: true,
        consistency: cassandra.types.consistencies.localQuorum,
        fetchSize: 5_000,
      });
      for (const r of result.rows) {
        out.push({
          key: r.get("request_id"),
          replayedAt: r.get("replayed_at"),
          actor: r.get("actor") ?? "",
          dlqTopic: r.get("dlq_topic") ?? "",
          dlqPartition: Number(r.get("dlq_partition")),
          dlqOffset: String(r.get("dlq_offset")),
          dlqTimestamp: (r.get("dlq_timestamp") as Date | null)?.getTime() ?? 0,
          reason: r.get("reason") ?? "",
          targetTopic: r.get("target_topic") ?? "",
        });
      }
    }
    return out;
  }
}

/** `topic/partition/offset@timestamp`: the dead letter a replay row is of (a recreated topic reuses offsets). */
export function replayedRecordId(
  row: { topic: string; partition: number; offset: string; timestamp: number },
): string {
  return `${row.topic}/${row.partition}/${row.offset}@${row.timestamp}`;
}
