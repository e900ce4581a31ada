/**
 * Counting the replayed dead letters a role receives (`chain_dlq_replayed_total{topic,reason}`), once per batch.
 * `chain dlq replay` is a short-lived command that no one scrapes, so the count is kept where the replays land:
 * the role that consumes the topic the dead letter came from (the command center for its own dead letters,
 * service-1 and service-2 for theirs). Summed over the roles it is the replays that reached the chain; a replay
 * consumed twice (a redelivery) is counted twice, as `chain_messages_received_total` is.
 *
 * @module
 */
import type { InRecord } from "../messaging/records.ts";
import type { ChainMetrics } from "../observability/chain_metrics.ts";
import { replayHeader, replayOrigin } from "../dlq/replay_record.ts";
import { deadLetterReasons } from "../dlq/dlq_filter.ts";
import { isTopicName } from "../messaging/names.ts";

const KNOWN_REASONS: ReadonlySet<string> = new Set(deadLetterReasons);

/** Adds the replays among `records` to `metrics`; a batch without one costs a header lookup per record. */
export function countReplays(metrics: ChainMetrics, records: readonly InRecord[]): void {
  for (const record of records) {
    if (record.headers[replayHeader.of] === undefined) continue;
    const origin = replayOrigin(record.headers);
    if (origin === undefined) continue;
    // Labels come from headers: bounded to real topic names and chain's own reasons, so a hand-made header
    // cannot grow the series without end.
    metrics.dlqReplayed.inc({
      topic: isTopicName(origin.topic) ? origin.topic : "other",
      reason: KNOWN_REASONS.has(origin.reason) ? origin.reason : "other",
    });
  }
}
