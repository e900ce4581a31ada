/**
 * Dead-letter records: the original value, key and headers, and headers saying why the record is there and where
 * it came from. Every dead-letter topic (the command center's, service-1's, service-2's) uses these headers.
 *
 * A dead-letter record must itself fit the broker's record limit, or the produce is refused and the partition
 * stalls on the same record forever. When the original plus headers would not fit, the record goes out in a
 * reduced form: no value, a `chain-dlq-reduced` header, and the source topic, partition and offset, so the
 * original can still be found on its topic (until retention removes it).
 *
 * @module
 */
import type { InRecord, OutRecord } from "./records.ts";

/** What every dead-letter header's name starts with. */
export const DEAD_LETTER_HEADER_PREFIX = "chain-dlq-";

/** Header names on dead-letter records. */
export const deadLetterHeader = {
  /**
   * A short code: malformed, oversize, unknown_worker, route_disabled (command center); decrypt_failed,
   * unknown_key, invalid_payload, oversize (services); permanent_failure (service-2).
   */
  reason: "chain-dlq-reason",
  /** One human sentence saying what was wrong; never payload content. */
  detail: "chain-dlq-detail",
  sourceTopic: "chain-dlq-source-topic",
  sourcePartition: "chain-dlq-source-partition",
  sourceOffset: "chain-dlq-source-offset",
  /** Present on a reduced record: why the value was left out, with the original's size. */
  reduced: "chain-dlq-reduced",
} as const;

/**
 * Bytes a lone record adds to its record batch besides its key, value and headers: the batch header (61) and the
 * record's framing (length, attributes, timestamp and offset deltas, key and value lengths, header count; at
 * most 25), rounded up so the estimate errs on the safe side.
 */
const RECORD_OVERHEAD_BYTES = 96;

const encoder = new TextEncoder();

function byteLength(value: Uint8Array | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  // A JS string's UTF-8 size is at most 3 bytes per UTF-16 unit; most strings here are ASCII, so measure.
  return typeof value === "string" ? encoder.encode(value).byteLength : value.byteLength;
}

/** An upper bound of the bytes `record` takes in a record batch, for comparing with the broker's limit. */
export function recordBytes(record: OutRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(record.key) + byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    bytes += byteLength(name) + byteLength(value) + 10;
  }
  return bytes;
}

/** Where a dead letter goes and how large a record the broker takes there. */
export interface DeadLetterTarget {
  topic: string;
  /** The largest record (value, key, headers and overhead) the dead-letter topic accepts. */
  limitBytes: number;
}

/**
 * The dead-letter record for `record`: its key and value with the reason headers, or, if that would exceed
 * `target.limitBytes`, the reduced form without the value.
 */
export function deadLetter(
  record: InRecord,
  reason: string,
  detail: string,
  target: DeadLetterTarget,
): OutRecord {
  // The original's own headers stay (its `chain-key-id` and `traceparent`): a replay needs them to be read
  // again. A `chain-dlq-*` header of its own is left out: only the reason headers set here say why.
  const headers: Record<string, string> = {};
  for (const name in record.headers) {
    const value = record.headers[name];
    if (value !== undefined && !name.startsWith(DEAD_LETTER_HEADER_PREFIX)) headers[name] = value;
  }
  Object.assign(headers, {
    [deadLetterHeader.reason]: reason,
    [deadLetterHeader.detail]: detail,
    [deadLetterHeader.sourceTopic]: record.topic,
    [deadLetterHeader.sourcePartition]: String(record.partition),
    [deadLetterHeader.sourceOffset]: record.offset,
  });
  const full: OutRecord = { topic: target.topic, key: record.key, value: record.value ?? "", headers };
  if (recordBytes(full) <= target.limitBytes) return full;
  const size = byteLength(record.value);
  const reduced: OutRecord = {
    topic: target.topic,
    key: record.key,
    value: "",
    headers: {
      ...headers,
      [deadLetterHeader.reduced]:
        `value of ${size} bytes left out: with these headers it exceeds the topic's ` +
        `limit of ${target.limitBytes} bytes; the original is at the source topic, partition and offset`,
    },
  };
  if (recordBytes(reduced) <= target.limitBytes) return reduced;
  // A key so large that even the reduced form does not fit: the key goes too (the source position remains).
  return { ...reduced, key: null };
}

/**
 * `out` if it fits `limitBytes`; otherwise a dead letter with reason `oversize` for the record it was made from
 * (a service's output grown past what its target topic takes), so the partition moves on.
 */
export function fitOrDeadLetter(
  out: OutRecord,
  limitBytes: number,
  source: InRecord,
  target: DeadLetterTarget,
): OutRecord {
  const bytes = recordBytes(out);
  if (bytes <= limitBytes) return out;
  return deadLetter(
    source,
    "oversize",
    `the record for ${out.topic} would be ${bytes} bytes, more than its limit of ${limitBytes}`,
    target,
  );
}
