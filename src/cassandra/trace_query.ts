/**
 * Reading one request's hops back from the metadata log, for `chain trace <request_id>`.
 *
 * @module
 */
import type cassandra from "cassandra-driver";

/** One recorded hop. */
export interface Hop {
  routedAt: Date;
  workerName: string;
  sourceTopic: string;
  targetTopic: string;
  routeId: string;
  success: boolean;
  processingTimeMs: number;
  reason?: string;
}

/** The hops of `requestId`, in the order they happened. */
export async function readTrace(
  client: cassandra.Client,
  keyspace: string,
  requestId: string,
): Promise<Hop[]> {
  const result = await client.execute(
    `SELECT routed_at, worker_name, source_topic, target_topic, route_id, success, processing_time_ms, reason
     FROM ${keyspace}.routing_metadata WHERE request_id = ?`,
    [requestId],
    { prepare: true },
  );
  return result.rows.map((r) => ({
    routedAt: r.get("routed_at"),
    workerName: r.get("worker_name") ?? "",
    sourceTopic: r.get("source_topic") ?? "",
    targetTopic: r.get("target_topic") ?? "",
    routeId: r.get("route_id") ?? "",
    success: r.get("success") === true,
    processingTimeMs: Number(r.get("processing_time_ms") ?? 0),
    reason: r.get("reason") ?? undefined,
  }));
}

/** One line per hop: time, worker, source → target, route, outcome, milliseconds. */
export function formatTrace(hops: readonly Hop[], requestId: string): string {
  if (hops.length === 0) return `no hops recorded for ${requestId} (metadata rows expire after 7 days)`;
  return hops.map((h) =>
    [
      h.routedAt.toISOString(),
      h.workerName || "-",
      `${h.sourceTopic} → ${h.targetTopic}`,
      h.routeId || "-",
      h.success ? "ok" : `FAILED: ${h.reason ?? "unknown"}`,
      `${h.processingTimeMs.toFixed(2)} ms`,
    ].join("  ")
  ).join("\n");
}
