/**
 * chain's Prometheus metrics, one registry per process (prom-client, custom metrics only: its default Node
 * process metrics do not run under Deno). Names follow Prometheus conventions: `chain_…_total` counters,
 * `_seconds` histograms, labels `route_id`, `reason`, `outcome`, `topic`, `partition`. No label ever carries a
 * payload, a key or a request id.
 *
 * Roles count per batch where they can (one `inc(labels, n)` per route or reason), so the per-message path
 * stays a counter update in a local map.
 *
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RequestCounts } from "./request_counts.ts";

/** Processing-time buckets in seconds: 0.5 ms to 2.5 s, around the design's 1–5 ms per hop. */
export const PROCESSING_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Row counts of the metadata log, read when metrics are scraped. */
export interface MetadataCounts {
  written: number;
  dropped: number;
  failed: number;
  pending: number;
  /** Hops of `chain stats` (src/stats/route_tally_buffer.ts): waiting to be tallied, and lost. */
  untallied?: { pending: number; dropped: number; failed: number };
}

/** Every metric a chain process exposes; each role updates the ones that concern it. */
export class ChainMetrics {
  readonly registry = new Registry();
  readonly received: Counter<"topic">;
  readonly forwarded: Counter<"route_id">;
  readonly deadLettered: Counter<"reason">;
  readonly processing: Histogram<"route_id">;
  readonly decryptFailures: Counter;
  readonly orders: Counter<"outcome">;
  readonly mails: Counter<"outcome">;
  readonly consumerLag: Gauge<"topic" | "partition">;
  readonly routeChanges: Counter<"action">;
  readonly dlqReplayed: Counter<"topic" | "reason">;
  #metadata: () => MetadataCounts | undefined = () => undefined;
  #keys: () => ReadonlyMap<string, number> = () => new Map();
  #requests: RequestCounts | undefined;

  constructor() {
    const registers = [this.registry];
    this.received = new Counter({
      name: "chain_messages_received_total",
      help: "Messages read from the role's input topic.",
      labelNames: ["topic"],
      registers,
    });
    this.forwarded = new Counter({
      name: "chain_messages_forwarded_total",
      help: "Messages forwarded (command center) or published onward (service-1), by route.",
      labelNames: ["route_id"],
      registers,
    });
    this.deadLettered = new Counter({
      name: "chain_messages_dead_lettered_total",
      help: "Messages sent to the role's dead-letter topic, by reason.",
      labelNames: ["reason"],
      registers,
    });
    this.processing = new Histogram({
      name: "chain_processing_seconds",
      help: "Time from reading a batch to Kafka acknowledging its forwards, per message, by route.",
      labelNames: ["route_id"],
      buckets: PROCESSING_BUCKETS,
      registers,
    });
    this.decryptFailures = new Counter({
      name: "chain_decrypt_failures_total",
      help: "Envelopes that failed AES-GCM authentication or had a wrong IV or tag length.",
      registers,
    });
    this.orders = new Counter({
      name: "chain_orders_total",
      help: "Orders handled by service-2, by outcome: fulfilled, rejected, repeated.",
      labelNames: ["outcome"],
      registers,
    });
    this.mails = new Counter({
      name: "chain_mails_total",
      help: "Confirmation mails, by outcome: sent, failed.",
      labelNames: ["outcome"],
      registers,
    });
    this.consumerLag = new Gauge({
      name: "chain_consumer_lag",
      help: "Records between the role's last handled offset and the partition's end, as of its last fetch.",
      labelNames: ["topic", "partition"],
      registers,
    });
    this.routeChanges = new Counter({
      name: "chain_route_changes_total",
      help: "Route registry changes applied live, by action.",
      labelNames: ["action"],
      registers,
    });
    this.dlqReplayed = new Counter({
      name: "chain_dlq_replayed_total",
      help: "Replayed dead letters (chain dlq replay) this role received, by dead-letter topic and reason.",
      labelNames: ["topic", "reason"],
      registers,
    });
    const metadata = (pick: (m: MetadataCounts) => number) =>
      function (this: Gauge) {
        const counts = read();
        if (counts) this.set(pick(counts));
      };
    const read = () => this.#metadata();
    new Gauge({
      name: "chain_metadata_rows_written_total",
      help: "Metadata rows written to Cassandra (a counter, read from the metadata log when scraped).",
      registers,
      collect: metadata((m) => m.written),
    });
    new Gauge({
      name: "chain_metadata_rows_dropped_total",
      help: "Metadata rows dropped because the buffer was full (a counter, read when scraped).",
      registers,
      collect: metadata((m) => m.dropped),
    });
    new Gauge({
      name: "chain_metadata_rows_failed_total",
      help: "Metadata rows whose write failed for good (a counter, read when scraped).",
      registers,
      collect: metadata((m) => m.failed),
    });
    new Gauge({
      name: "chain_metadata_hops_untallied",
      help:
        "Hops whose metadata rows are stored but not yet tallied for chain stats (lost if the process dies).",
      registers,
      collect: metadata((m) => m.untallied?.pending ?? 0),
    });
    new Gauge({
      name: "chain_metadata_hops_untallied_lost_total",
      help:
        "Hops that could not be tallied for chain stats (dropped or failed; a counter, read when scraped).",
      registers,
      collect: metadata((m) => (m.untallied?.dropped ?? 0) + (m.untallied?.failed ?? 0)),
    });
    const keys = () => this.#keys();
    new Gauge({
      name: "chain_key_encryptions_total",
      help: "Envelopes this process sealed with each key (a counter, read from the keyring when scraped); " +
        "NIST SP 800-38D allows 2^32 random-IV encryptions per key, summed over every process.",
      labelNames: ["key_id"],
      registers,
      collect() {
        for (const [keyId, count] of keys()) this.set({ key_id: keyId }, count);
      },
    });
    const requests = () => this.#requests;
    new Gauge({
      name: "chain_requests_total",
      help: "Requests this process sent, by system (kafka, cassandra, smtp) and kind (produce, fetch, " +
        "offset_commit, heartbeat, execute, batch, transaction, …); a counter, read when scraped.",
      labelNames: ["system", "request"],
      registers,
      collect() {
        for (const { system, request, count } of requests()?.requestEntries() ?? []) {
          this.set({ system, request }, count);
        }
      },
    });
    new Gauge({
      name: "chain_cassandra_rows_total",
      help: "Cassandra rows this process's requests wrote or read, by op (a counter, read when scraped).",
      labelNames: ["op"],
      registers,
      collect() {
        for (const [op, count] of requests()?.rowEntries() ?? []) this.set({ op }, count);
      },
    });
    new Gauge({
      name: "chain_metadata_rows_buffered",
      help: "Metadata rows waiting in the buffer or being written.",
      registers,
      collect: metadata((m) => m.pending),
    });
  }

  /** Where the metadata-row metrics are read from (the command center's routing log). */
  observeMetadata(read: () => MetadataCounts): void {
    this.#metadata = read;
  }

  /** Where `chain_key_encryptions_total` is read from (the role's keyring). */
  observeKeys(read: () => ReadonlyMap<string, number>): void {
    this.#keys = read;
  }

  /** Where `chain_requests_total` and `chain_cassandra_rows_total` are read from. */
  observeRequests(counts: RequestCounts): void {
    this.#requests = counts;
  }

  /** The exposition text for `/metrics`. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of {@link text}. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
