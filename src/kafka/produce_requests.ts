/**
 * How a send is split into produce requests, for both Kafka adapters: a request's records for one partition go
 * out as one record batch, and the broker refuses batches over `message.max.bytes` (1 MiB by default), so a
 * larger send goes out as several requests, in order.
 *
 * @module
 */
import type { OutRecord } from "../messaging/records.ts";

/** Bytes of keys and values in one produce request (below the broker's default 1 MiB batch limit). */
export const maxRequestBytes = 800_000;

/** An upper bound of a key's or value's bytes (a JS string's UTF-8 size is at most 3 bytes per UTF-16 unit). */
function size(value: Uint8Array | string | null): number {
  return value === null ? 0 : typeof value === "string" ? value.length * 3 : value.byteLength;
}

/**
 * The `[start, end)` index ranges of `records`, in order, each one produce request of keys and values under
 * `limitBytes`; a single record larger than that is a request of its own (the broker says whether it fits).
 */
export function* produceRequests(
  records: readonly OutRecord[],
  limitBytes = maxRequestBytes,
): Generator<[start: number, end: number]> {
  let start = 0;
  while (start < records.length) {
    let end = start;
    let bytesInRequest = 0;
    while (end < records.length && (end === start || bytesInRequest < limitBytes)) {
      bytesInRequest += size(records[end].value) + size(records[end].key);
      end++;
    }
    yield [start, end];
    start = end;
  }
}
