/**
 * What a dead-letter record carries besides the original value and key: why it is there and where it came from.
 * Every dead-letter topic (the command center's, service-1's, service-2's) uses these headers.
 *
 * @module
 */
import type { InRecord } from "./records.ts";

/** Header names on dead-letter records. */
export const deadLetterHeader = {
  /** A short code: malformed, unknown_worker, route_disabled, decrypt_failed, invalid_payload. */
  reason: "chain-dlq-reason",
  /** One human sentence saying what was wrong; never payload content. */
  detail: "chain-dlq-detail",
  sourceTopic: "chain-dlq-source-topic",
  sourcePartition: "chain-dlq-source-partition",
  sourceOffset: "chain-dlq-source-offset",
} as const;

/** The headers of a dead-letter record for `record`. */
export function deadLetterHeaders(reason: string, detail: string, record: InRecord): Record<string, string> {
  return {
    [deadLetterHeader.reason]: reason,
    [deadLetterHeader.detail]: detail,
    [deadLetterHeader.sourceTopic]: record.topic,
    [deadLetterHeader.sourcePartition]: String(record.partition),
    [deadLetterHeader.sourceOffset]: record.offset,
  };
}
