/**
 * A dead-letter record as `chain dlq` sees it: where it sits, why it is there (the `chain-dlq-*` headers), where
 * it came from, and the request it belongs to. Read from the headers, the key and the envelope's two clear fields
 * (`request_id`, `worker_name`); `data`, `iv` and `tag` are never read into it, and nothing is decrypted.
 *
 * @module
 */
import type { InRecord } from "../messaging/records.ts";
import { deadLetterHeader } from "../messaging/dead_letter.ts";
import { NAME_PATTERN, REQUEST_ID_PATTERN } from "../messaging/names.ts";

/** A dead letter, without its value. */
export interface DeadLetterEntry {
  /** The dead-letter topic, partition and offset it sits at. */
  topic: string;
  partition: number;
  offset: string;
  /** Its Kafka timestamp (ms): when it was dead-lettered. */
  timestamp: number;
  /** The envelope's `request_id` (lowercase), else the record key when it is a UUID; undefined: none readable. */
  requestId?: string;
  /** The envelope's `worker_name`; undefined when the value is not an envelope (malformed, reduced). */
  workerName?: string;
  /** `chain-dlq-reason`; `unknown` when the header is missing (a record not written by chain). */
  reason: string;
  /** `chain-dlq-detail`, one sentence without payload content; "" when missing. */
  detail: string;
  /** Where the original was read: `chain-dlq-source-*`; undefined when the headers are missing or unreadable. */
  source?: { topic: string; partition: number; offset: string };
  /** The value was left out to fit the dead-letter topic (`chain-dlq-reduced`): it cannot be replayed. */
  reduced: boolean;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const OFFSET = /^\d{1,19}$/;
const PARTITION = /^\d{1,9}$/;

/** The `request_id` and `worker_name` of an envelope's JSON, when they are strings; nothing else is kept. */
function clearFields(value: Uint8Array | null): { requestId?: string; workerName?: string } {
  if (value === null || value.byteLength === 0) return {};
  try {
    const parsed: unknown = JSON.parse(decoder.decode(value));
    if (typeof parsed !== "object" || parsed === null) return {};
    const { request_id: requestId, worker_name: workerName } = parsed as Record<string, unknown>;
    return {
      requestId: typeof requestId === "string" && REQUEST_ID_PATTERN.test(requestId)
        ? requestId.toLowerCase()
        : undefined,
      workerName: typeof workerName === "string" && NAME_PATTERN.test(workerName) ? workerName : undefined,
    };
  } catch {
    return {};
  }
}

function keyRequestId(key: Uint8Array | null): string | undefined {
  if (key === null) return undefined;
  try {
    const text = decoder.decode(key);
    return REQUEST_ID_PATTERN.test(text) ? text.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** The entry of a record read from a dead-letter topic. */
export function deadLetterEntry(record: InRecord): DeadLetterEntry {
  const h = record.headers;
  const { requestId, workerName } = clearFields(record.value);
  const sourceTopic = h[deadLetterHeader.sourceTopic];
  const sourcePartition = h[deadLetterHeader.sourcePartition] ?? "";
  const sourceOffset = h[deadLetterHeader.sourceOffset] ?? "";
  const entry: DeadLetterEntry = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    reason: h[deadLetterHeader.reason] || "unknown",
    detail: h[deadLetterHeader.detail] ?? "",
    reduced: h[deadLetterHeader.reduced] !== undefined,
  };
  const id = requestId ?? keyRequestId(record.key);
  if (id !== undefined) entry.requestId = id;
  if (workerName !== undefined) entry.workerName = workerName;
  if (sourceTopic && PARTITION.test(sourcePartition) && OFFSET.test(sourceOffset)) {
    entry.source = { topic: sourceTopic, partition: Number(sourcePartition), offset: sourceOffset };
  }
  return entry;
}

/** `topic/partition/offset`: how a dead letter is named in output, the replay header and the replay table. */
export function entryPlace(entry: Pick<DeadLetterEntry, "topic" | "partition" | "offset">): string {
  return `${entry.topic}/${entry.partition}/${entry.offset}`;
}

/**
 * The key a dead letter's replays are filed under in `dlq_replays`: its request_id, else
 * `invalid:<topic>/<partition>/<offset>` (as the metadata log files a message without one).
 */
export function replayKey(entry: DeadLetterEntry): string {
  return entry.requestId ?? `invalid:${entryPlace(entry)}`;
}
