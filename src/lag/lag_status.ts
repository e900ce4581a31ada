/**
 * Consumer lag and its status, judged over a short window of samples, in the spirit of Burrow's evaluation
 * rules (linkedin/Burrow, core/internal/evaluator/caching.go). Pure: the samples come from the Kafka adapter
 * (src/kafka/consumer_lag.ts), the table from lag_report.ts.
 *
 * A sample of one partition is the group's committed offset and the partition's log-start and log-end offsets
 * at one moment. The **lag** is `logEnd - position`, where the position is the committed offset, or the log
 * start when the group has committed nothing on the partition (chain's consumers start from the beginning),
 * and never below the log start (records deleted by retention are not lag).
 *
 * **Status** of a partition, the first rule that applies:
 *
 * 1. `OK` when the lag is 0 in any sample of the window (Burrow's rule 1: it caught up at some point).
 * 2. `STOPPED` when no member of the group holds the partition (the group is empty, or it is not assigned):
 *    nothing will consume the lag. Burrow infers this from commit timestamps (no commit for longer than the
 *    window spans); Kafka's committed offsets carry no timestamp, but the group's membership says it directly.
 * 3. `STALLED` when the committed position did not advance across the window (last ≤ first) although a member
 *    holds the partition: a consumer that is alive but stuck (Burrow's rule 4). A rewind (the position moved
 *    back, Burrow's REWIND) counts as not advancing.
 * 4. `FALLING_BEHIND` when the position advances but the lag grows: it never decreased from one sample to the
 *    next and ends higher than it started (Burrow's rule 5 warns on flat lag too; over a window of seconds a
 *    flat lag with advancing commits is a consumer keeping pace, so that is OK here).
 * 5. `OK` otherwise: advancing, and the lag is not growing.
 *
 * A topic's (and a group's) status is its worst partition's, in the order STOPPED > STALLED > FALLING_BEHIND > OK.
 *
 * **Lag in seconds**, per partition with lag:
 * - `record`: the age of the oldest unconsumed record, `now - timestamp` of the record at the committed
 *   position, when the adapter could read it (a short fetch). This is how far behind in time the group is.
 * - `rate`: otherwise, when the position advanced in the window, the lag divided by the observed consumption
 *   rate: how long catching up takes at the current pace (producers stopped). Shown with a `~`.
 * - `null` when neither is known (no record read and nothing consumed in the window).
 * A topic's lag in seconds is the largest known among its lagging partitions' (0 without lag, null when none is
 * known).
 *
 * @module
 */

/** One look at one partition. */
export interface PartitionSample {
  /** When the sample was taken, epoch milliseconds. */
  at: number;
  /** The group's committed offset (the next record it will read), or null when it has committed none. */
  committed: number | null;
  /** The partition's first offset still in the log (low watermark). */
  logStart: number;
  /** The partition's next offset to be written (high watermark). */
  logEnd: number;
}

/** One partition over the window. */
export interface PartitionWindow {
  partition: number;
  /** At least one sample, oldest first. */
  samples: PartitionSample[];
  /** A member of the group holds this partition (at the last sample). */
  owned: boolean;
  /** Timestamp (epoch ms) of the record at the committed position, when it was read. */
  oldestUnconsumedTimestamp?: number;
}

/** The statuses, worst last. */
export const lagStatuses = ["OK", "FALLING_BEHIND", "STALLED", "STOPPED"] as const;
/** One of {@link lagStatuses}. */
export type LagStatus = typeof lagStatuses[number];

/** Where a lag in seconds comes from; see the module docs. */
export type LagSecondsSource = "record" | "rate";

/** One partition, judged. */
export interface PartitionLag {
  partition: number;
  /** Lag at the last sample. */
  lag: number;
  status: LagStatus;
  lagSeconds: number | null;
  lagSecondsFrom: LagSecondsSource | null;
}

/** One group's view of one topic, judged. */
export interface TopicLag {
  group: string;
  topic: string;
  partitions: number;
  totalLag: number;
  /** The partition with the most lag (the lowest number among equals), null for a topic without partitions. */
  worst: { partition: number; lag: number } | null;
  lagSeconds: number | null;
  lagSecondsFrom: LagSecondsSource | null;
  status: LagStatus;
  byPartition: PartitionLag[];
}

/** The lag of one sample: log end minus the position (committed offset, else log start), never negative. */
export function sampleLag(sample: PartitionSample): number {
  return Math.max(0, sample.logEnd - position(sample));
}

function position(sample: PartitionSample): number {
  return Math.max(sample.committed ?? sample.logStart, sample.logStart);
}

/** The status of one partition over its window; see the module docs for the rules. */
export function partitionStatus(window: PartitionWindow): LagStatus {
  const { samples } = window;
  if (samples.length === 0) throw new Error(`partition ${window.partition}: no samples`);
  const lags = samples.map(sampleLag);
  if (lags.some((lag) => lag === 0)) return "OK";
  if (!window.owned) return "STOPPED";
  if (position(samples.at(-1)!) <= position(samples[0])) return "STALLED";
  const neverDecreased = lags.every((lag, i) => i === 0 || lag >= lags[i - 1]);
  if (neverDecreased && lags.at(-1)! > lags[0]) return "FALLING_BEHIND";
  return "OK";
}

/** Judges one partition: lag, status and lag in seconds at `now` (epoch ms). */
export function evaluatePartition(window: PartitionWindow, now: number): PartitionLag {
  const first = window.samples[0];
  const last = window.samples.at(-1)!;
  const lag = sampleLag(last);
  const status = partitionStatus(window);
  const partition = window.partition;
  if (lag === 0) return { partition, lag, status, lagSeconds: 0, lagSecondsFrom: null };
  if (window.oldestUnconsumedTimestamp !== undefined) {
    const age = Math.max(0, (now - window.oldestUnconsumedTimestamp) / 1000);
    return { partition, lag, status, lagSeconds: age, lagSecondsFrom: "record" };
  }
  const consumed = position(last) - position(first);
  const seconds = (last.at - first.at) / 1000;
  if (consumed > 0 && seconds > 0) {
    return { partition, lag, status, lagSeconds: lag / (consumed / seconds), lagSecondsFrom: "rate" };
  }
  return { partition, lag, status, lagSeconds: null, lagSecondsFrom: null };
}

/** The worse of two statuses. */
export function worseStatus(a: LagStatus, b: LagStatus): LagStatus {
  return lagStatuses.indexOf(a) >= lagStatuses.indexOf(b) ? a : b;
}

/** Judges a group's view of a topic from its partitions' windows. */
export function evaluateTopic(
  group: string,
  topic: string,
  windows: PartitionWindow[],
  now: number,
): TopicLag {
  const byPartition = [...windows].sort((a, b) => a.partition - b.partition).map((w) =>
    evaluatePartition(w, now)
  );
  let worst: TopicLag["worst"] = null;
  let status: LagStatus = "OK";
  let lagSeconds: number | null = null;
  let lagSecondsFrom: LagSecondsSource | null = null;
  for (const p of byPartition) {
    if (worst === null || p.lag > worst.lag) worst = { partition: p.partition, lag: p.lag };
    status = worseStatus(status, p.status);
    if (p.lag > 0 && p.lagSeconds !== null && (lagSeconds === null || p.lagSeconds > lagSeconds)) {
      lagSeconds = p.lagSeconds;
      lagSecondsFrom = p.lagSecondsFrom;
    }
  }
  const totalLag = byPartition.reduce((sum, p) => sum + p.lag, 0);
  if (totalLag === 0) lagSeconds = 0;
  return {
    group,
    topic,
    partitions: byPartition.length,
    totalLag,
    worst,
    lagSeconds,
    lagSecondsFrom,
    status,
    byPartition,
  };
}
