/**
 * Stall per partition after a fault, from the times records of each partition were handled (the metadata log's
 * `routed_at`, the orders' `saved_at`): for each partition, the longest wait after the fault with nothing handled
 * on it, counted from the fault itself, so a partition that a killed member held and nobody took over shows the
 * whole wait until it moved. Also when a killed member's partitions were handled again after its replacement was
 * ready, and how many hops were logged more than once. Pure; the fault suite feeds it what it read.
 *
 * @module
 */

/** A record of `partition` handled at `at` (epoch milliseconds). */
export interface Handled {
  partition: number;
  at: number;
}

/**
 * For each partition in `partitions`: the longest gap, in milliseconds, between `from` and the first record handled
 * after it, or between two records handled after it, up to `until` (the last orders published: after them a gap
 * is only the stream's end). A partition with nothing handled after `from` gets `until - from`.
 */
export function stallPerPartition(
  handled: readonly Handled[],
  partitions: readonly number[],
  from: number,
  until: number,
): Map<number, number> {
  const times = new Map<number, number[]>(partitions.map((p) => [p, []]));
  for (const h of handled) if (h.at > from && h.at <= until) times.get(h.partition)?.push(h.at);
  const out = new Map<number, number>();
  for (const [partition, ats] of times) {
    ats.sort((a, b) => a - b);
    let previous = from;
    let longest = 0;
    for (const at of ats) {
      longest = Math.max(longest, at - previous);
      previous = at;
    }
    out.set(partition, ats.length === 0 ? until - from : longest);
  }
  return out;
}

/**
 * How long after `ready` (the replacement process was ready to consume) each of `partitions` had its first record
 * handled: negative when another member took it over before then. Undefined for a partition with none after
 * `from`.
 */
export function firstAfter(
  handled: readonly Handled[],
  partitions: readonly number[],
  from: number,
  ready: number,
): Map<number, number | undefined> {
  const out = new Map<number, number | undefined>(partitions.map((p) => [p, undefined]));
  for (const h of handled) {
    if (h.at <= from || !out.has(h.partition)) continue;
    const seen = out.get(h.partition);
    if (seen === undefined || h.at - ready < seen) out.set(h.partition, h.at - ready);
  }
  return out;
}

/** A source record, by topic, partition and offset: the same one handled twice has the same key. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
}

/** Records beyond the first per source record: hops logged twice (a record handled again after a takeover). */
export function repeatedRecords(records: Iterable<SourceRecord>): number {
  const seen = new Set<string>();
  let repeated = 0;
  for (const r of records) {
    const key = `${r.topic}\u0000${r.partition}\u0000${r.offset}`;
    if (seen.has(key)) repeated++;
    else seen.add(key);
  }
  return repeated;
}

/** `p0 0.1 s, p1 2.4 s*` for a stall per partition; `*` marks `marked` (the killed member's). */
export function formatPerPartition(
  perPartition: ReadonlyMap<number, number | undefined>,
  marked: readonly number[] = [],
): string {
  return [...perPartition].sort(([a], [b]) => a - b).map(([p, ms]) =>
    `p${p} ${ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`}${marked.includes(p) ? "*" : ""}`
  ).join(", ");
}
