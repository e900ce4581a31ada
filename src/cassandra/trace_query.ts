/**
 * Reading one request's hops back from the metadata log, for `chain trace <request_id>`.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { RoutingRow } from "../routing/routing_log.ts";
import { type DlqReplayRow, DlqReplays } from "./dlq_replays.ts";

/**
 * One recorded hop, as `chain trace` shows it: a routing row without where in the inbox it was read. A replay of a
 * dead letter (`chain dlq replay`, from `dlq_replays`) is a hop too: from the dead-letter topic to the topic it
 * was published to, with `replay` saying which dead letter and who.
 */
export type Hop = Omit<RoutingRow, "requestId" | "sourcePartition" | "sourceOffset"> & {
  replay?: { of: string; actor: string };
};

/** The hops of `requestId` in the order they happened (the partition's clustering order: routed_at, hop_id). */
export async function readTrace(
  client: cassandra.Client,
  keyspace: string,
  requestId: string,
): Promise<Hop[]> {
  const result = await client.execute(
    `SELECT routed_at, worker_name, source_topic, target_topic, route_id, success, processing_time_ms, reason,
     trace_id FROM ${keyspace}.routing_metadata WHERE request_id = ?`,
    [requestId],
    { prepare: true },
  );
  const hops = result.rows.map((r) => {
    const hop: Hop = {
      routedAt: r.get("routed_at"),
      workerName: r.get("worker_name") ?? "",
      sourceTopic: r.get("source_topic") ?? "",
      targetTopic: r.get("target_topic") ?? "",
      routeId: r.get("route_id") ?? "",
      success: r.get("success") === true,
      processingTimeMs: Number(r.get("processing_time_ms") ?? 0),
    };
    const reason = r.get("reason");
    if (reason != null) hop.reason = reason;
    const traceId = r.get("trace_id");
    if (traceId != null) hop.traceId = traceId;
    return hop;
  });
  const replays = await new DlqReplays(client, keyspace).read([requestId]);
  if (replays.length === 0) return hops;
  return mergeReplays(hops, replays);
}

/** `hops` with each replay as a hop of its own, all in time order (a replay before the hops it caused). */
export function mergeReplays(hops: readonly Hop[], replays: readonly DlqReplayRow[]): Hop[] {
  const replayHops: Hop[] = replays.map((r) => ({
    routedAt: r.replayedAt,
    workerName: "chain dlq replay",
    sourceTopic: r.dlqTopic,
    targetTopic: r.targetTopic,
    routeId: "",
    success: true,
    processingTimeMs: 0,
    reason: r.reason,
    replay: { of: `${r.dlqTopic}/${r.dlqPartition}/${r.dlqOffset}`, actor: r.actor },
  }));
  // Stable: a replay at the same millisecond as a hop comes first, as it caused what follows.
  return [...replayHops, ...hops].sort((a, b) => a.routedAt.getTime() - b.routedAt.getTime());
}

/**
 * One line per hop, fields two spaces apart: ISO time, worker, `source → target`, route, `ok` or
 * `FAILED: <reason>`, milliseconds with two decimals. When the hops carry a trace id, a first line names it (the
 * id to look up in Jaeger or another OTLP tool); hops of more than one trace (a message that came without a valid
 * `traceparent` twice) name each id once, in order.
 *
 * @example
 * ```text
 * trace_id 0af7651916cd43dd8448eb211c80319c
 * 2026-11-25T10:00:00.000Z  initial-publisher  inbox → s1  to-s1  ok  0.42 ms
 * 2026-11-25T10:00:00.120Z  service-1-publisher  inbox → command-center-dlq  -  FAILED: unknown_worker  0.10 ms
 * 2026-11-25T11:00:00.000Z  chain dlq replay  command-center-dlq → inbox  -  replayed command-center-dlq/0/4 (reason unknown_worker) by ana  -
 * ```
 */
export function formatTrace(hops: readonly Hop[], requestId: string): string {
  if (hops.length === 0) return `no hops recorded for ${requestId} (rows expire after 7 days)`;
  const traceIds = [...new Set(hops.map((h) => h.traceId).filter((id) => id !== undefined && id !== ""))];
  const header = traceIds.length === 0 ? "" : `trace_id ${traceIds.join(", ")}\n`;
  return header + hops.map((h) =>
    [
      h.routedAt.toISOString(),
      h.workerName || "-",
      `${h.sourceTopic || "-"} → ${h.targetTopic || "-"}`,
      h.routeId || "-",
      h.replay
        ? `replayed ${h.replay.of} (reason ${h.reason ?? "-"}) by ${h.replay.actor}`
        : h.success
        ? "ok"
        : `FAILED: ${h.reason || "no reason recorded"}`,
      h.replay ? "-" : `${h.processingTimeMs.toFixed(2)} ms`,
    ].join("  ")
  ).join("\n");
}
