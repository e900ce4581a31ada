/**
 * The record a replay publishes: the dead letter's key and value exactly as they are, and its headers without the
 * `chain-dlq-*` ones (and without a replay header of an earlier replay), plus `chain-replay-of` (where the dead
 * letter sits) and `chain-replay-reason` (why it was dead-lettered). Pure.
 *
 * @module
 */
import type { InRecord, OutRecord } from "../messaging/records.ts";
import { DEAD_LETTER_HEADER_PREFIX, deadLetterHeader } from "../messaging/dead_letter.ts";

/** The headers a replayed record carries; the role that consumes it counts it by them. */
export const replayHeader = {
  /** `<dead-letter topic>/<partition>/<offset>` of the dead letter that was replayed. */
  of: "chain-replay-of",
  /** The dead letter's `chain-dlq-reason`. */
  reason: "chain-replay-reason",
} as const;

const REPLAY_HEADER_PREFIX = "chain-replay-";

/** The record that replays the dead letter `record` into `topic`. */
export function replayRecord(record: InRecord, topic: string): OutRecord {
  const headers: Record<string, string> = {};
  for (const name in record.headers) {
    const value = record.headers[name];
    if (value === undefined) continue;
    if (name.startsWith(DEAD_LETTER_HEADER_PREFIX) || name.startsWith(REPLAY_HEADER_PREFIX)) continue;
    headers[name] = value;
  }
  headers[replayHeader.of] = `${record.topic}/${record.partition}/${record.offset}`;
  headers[replayHeader.reason] = record.headers[deadLetterHeader.reason] || "unknown";
  return { topic, key: record.key, value: record.value ?? new Uint8Array(0), headers };
}

/**
 * The dead-letter topic and reason of a consumed record that is a replay, or undefined when it is not one (no
 * `chain-replay-of` header, or one that does not name a place).
 */
export function replayOrigin(
  headers: Readonly<Record<string, string | undefined>>,
): { topic: string; reason: string } | undefined {
  const of = headers[replayHeader.of];
  if (of === undefined) return undefined;
  const match = /^(.+)\/\d+\/\d+$/.exec(of);
  if (match === null) return undefined;
  return { topic: match[1], reason: headers[replayHeader.reason] || "unknown" };
}
