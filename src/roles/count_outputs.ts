/**
 * Counting what a service sent for `/metrics`, once per batch: its forwards under the service's name, its dead
 * letters by reason (decrypt failures also on their own counter).
 *
 * @module
 */
import type { OutRecord } from "../messaging/records.ts";
import { deadLetterHeader } from "../messaging/dead_letter.ts";
import type { ChainMetrics } from "../observability/chain_metrics.ts";

/** Adds `out`, the records one batch produced, to `metrics`. */
export function countOutputs(
  metrics: ChainMetrics,
  out: readonly OutRecord[],
  dlqTopic: string,
  service: string,
) {
  const perReason = new Map<string, number>();
  let forwarded = 0;
  for (const record of out) {
    if (record.topic !== dlqTopic) {
      forwarded++;
      continue;
    }
    const reason = record.headers?.[deadLetterHeader.reason] ?? "unknown";
    perReason.set(reason, (perReason.get(reason) ?? 0) + 1);
  }
  if (forwarded > 0) metrics.forwarded.inc({ route_id: service }, forwarded);
  for (const [reason, n] of perReason) {
    metrics.deadLettered.inc({ reason }, n);
    if (reason === "decrypt_failed") metrics.decryptFailures.inc(n);
  }
}
