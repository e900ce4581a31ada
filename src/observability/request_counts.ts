/**
 * The requests a process sends to Kafka, Cassandra and the mail server, counted by kind, and the Cassandra rows
 * they carry: what each order costs the services behind the chain, beside its CPU. `/metrics` shows them as
 * `chain_requests_total{system,request}` and `chain_cassandra_rows_total{op}`; the publisher, which serves no
 * HTTP, logs them when it is done; the bench divides them by the orders of a step.
 *
 * Counting is one `Map` update per request (a request is a network round trip, hundreds of times dearer).
 *
 * @module
 */

/** Who a request went to. */
export type RequestSystem = "kafka" | "cassandra" | "smtp";

/** Counts per (system, request kind), and Cassandra rows per operation. */
export class RequestCounts {
  readonly #requests = new Map<string, number>();
  readonly #rows = new Map<string, number>();

  /** Counts `n` requests of `kind` (`produce`, `fetch`, `execute`, `batch`, `transaction`, …) to `system`. */
  request(system: RequestSystem, kind: string, n = 1): void {
    const key = `${system} ${kind}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + n);
  }

  /** Counts `n` Cassandra rows read or written. */
  rows(op: "read" | "written", n: number): void {
    this.#rows.set(op, (this.#rows.get(op) ?? 0) + n);
  }

  /** Every count so far: `{ requests: { "kafka produce": 12, … }, rows: { written: 40 } }`. */
  snapshot(): { requests: Record<string, number>; rows: Record<string, number> } {
    return { requests: Object.fromEntries(this.#requests), rows: Object.fromEntries(this.#rows) };
  }

  /** Each (system, kind) and its count. */
  *requestEntries(): Iterable<{ system: string; request: string; count: number }> {
    for (const [key, count] of this.#requests) {
      const space = key.indexOf(" ");
      yield { system: key.slice(0, space), request: key.slice(space + 1), count };
    }
  }

  /** Each row operation and its count. */
  rowEntries(): Iterable<[string, number]> {
    return this.#rows.entries();
  }
}

/**
 * Kafka's API keys by number (the protocol's `ApiKeys`), in the snake_case both clients' counts use; others
 * count as `api_<n>`.
 */
const kafkaApis: Record<number, string> = {
  0: "produce",
  1: "fetch",
  2: "list_offsets",
  3: "metadata",
  8: "offset_commit",
  9: "offset_fetch",
  10: "find_coordinator",
  11: "join_group",
  12: "heartbeat",
  13: "leave_group",
  14: "sync_group",
  15: "describe_groups",
  16: "list_groups",
  17: "sasl_handshake",
  18: "api_versions",
  19: "create_topics",
  20: "delete_topics",
  22: "init_producer_id",
  32: "describe_configs",
  36: "sasl_authenticate",
  60: "describe_cluster",
  68: "consumer_group_heartbeat",
};

/** The count name of Kafka API key `apiKey`. */
export function kafkaApiName(apiKey: number): string {
  return kafkaApis[apiKey] ?? `api_${apiKey}`;
}
