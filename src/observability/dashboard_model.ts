/**
 * The dashboard's figures, pure: what `/api/dashboard` answers, built from plain snapshots of the command
 * center's counters (src/observability/dashboard.ts reads them from prom-client), the live route registry, the
 * last lag sample and the last failures. Rates are counter deltas over a window of earlier snapshots; p95 is
 * read from the processing-time histogram's buckets the way Prometheus' `histogram_quantile` does.
 *
 * Nothing here carries a payload: ids, names, reasons, counts and timings only.
 *
 * @module
 */
import type { Route } from "../routing/route_registry.ts";
import type { LagSecondsSource, LagStatus, TopicLag } from "../lag/lag_status.ts";
import type { DeadLetterCount } from "../dlq/dlq_summary.ts";

/** One cumulative histogram bucket: observations at or below `le` seconds (`Infinity` for `+Inf`). */
export interface Bucket {
  le: number;
  count: number;
}

/** The command center's counters at one moment. */
export interface MetricsSnapshot {
  /** Epoch milliseconds. */
  at: number;
  /** Inbox messages read. */
  received: number;
  /** `chain_messages_forwarded_total` by route id. */
  forwarded: Record<string, number>;
  /** `chain_messages_dead_lettered_total` by reason. */
  deadLettered: Record<string, number>;
  /** `chain_processing_seconds` buckets by route id, cumulative, ascending `le`. */
  processing: Record<string, Bucket[]>;
}

/** One dead-lettered decision, as the dashboard lists it. */
export interface Failure {
  /** ISO time the hop was routed. */
  at: string;
  /** The request id, or `invalid:<topic>/<partition>/<offset>` for a message without a valid one. */
  requestId: string;
  workerName: string;
  /** The route id for a disabled route, else empty. */
  routeId: string;
  /** The dead-letter reason (`unknown_worker`, `malformed`, …). */
  reason: string;
  /** One sentence, never payload content. */
  detail: string;
}

/** Rows sampled in the background while the page is open (lag_watch.ts). */
export interface SampledView<R> {
  /** ISO time of the last completed sample; null before the first. */
  sampledAt: string | null;
  /** Why the last sample failed, if it did. */
  error: string | null;
  rows: R[];
}

/** The lag as last sampled in the background. */
export type LagView = SampledView<TopicLag>;

/** What the page shows for one route. */
export interface RouteView {
  workerName: string;
  routeId: string;
  targetTopic: string;
  enabled: boolean;
  forwarded: number;
  /** Forwards per second over the window; null without a window yet. */
  perSecond: number | null;
  /** Dead-lettered hops filed under this route (a disabled route's). */
  failed: number;
  /** forwarded / (forwarded + failed) since start; null before any hop. */
  successRatio: number | null;
  /** p95 processing time over the window, milliseconds; null when nothing was forwarded in it. */
  p95RecentMs: number | null;
  /** p95 processing time since start, milliseconds; null before any forward. */
  p95Ms: number | null;
}

/** The live routes against the routes file the command center started with. */
export interface RoutesFileView {
  path: string;
  /** One per worker whose live route is not the file's (`added`, `changed`, `enabled`, `disabled`, `deleted`). */
  differences: { workerName: string; kind: string; line: string }[];
  /** The command that applies the file; null when the live routes are the file's. */
  apply: string | null;
}

/** The JSON document of `/api/dashboard`. */
export interface DashboardData {
  generatedAt: string;
  /** Seconds the rates are measured over; null on the first look (no earlier snapshot). */
  windowSeconds: number | null;
  totals: {
    received: number;
    forwarded: number;
    deadLettered: number;
    successRatio: number | null;
    forwardedPerSecond: number | null;
    deadLetteredPerSecond: number | null;
  };
  routes: RouteView[];
  deadLetters: { reason: string; count: number; perSecond: number | null }[];
  lag: {
    sampledAt: string | null;
    error: string | null;
    rows: {
      group: string;
      topic: string;
      partitions: number;
      totalLag: number;
      worst: { partition: number; lag: number } | null;
      lagSeconds: number | null;
      lagSecondsFrom: LagSecondsSource | null;
      status: LagStatus;
    }[];
  };
  failures: Failure[];
  /**
   * The chain's dead-letter topics by topic and reason, with how many a replay would take now and how many were
   * replayed (sampled every 30 s while the page is open); null when the dashboard has no such sampler.
   */
  deadLetterTopics: SampledView<DeadLetterCount> | null;
  /** Null when the command center was given no routes file to compare with. */
  routesFile: RoutesFileView | null;
}

/** Per second between two counter readings `ms` apart; a counter never goes down, so a drop counts as 0. */
export function ratePerSecond(before: number, after: number, ms: number): number {
  if (!(ms > 0)) throw new RangeError(`rate over ${ms} ms`);
  return Math.max(0, after - before) / (ms / 1000);
}

/** Bucket by bucket, `after - before` (a bucket missing from `before` counts as 0). */
export function bucketDelta(after: readonly Bucket[], before: readonly Bucket[] | undefined): Bucket[] {
  return after.map((b) => {
    const old = before?.find((o) => o.le === b.le)?.count ?? 0;
    return { le: b.le, count: Math.max(0, b.count - old) };
  });
}

/**
 * The `q` quantile (0..1) of a cumulative histogram, in the buckets' unit, as Prometheus' `histogram_quantile`
 * computes it: find the bucket the rank falls in and interpolate linearly inside it (the first bucket starts at
 * 0). A rank in the `+Inf` bucket answers the largest finite bound. Null when the histogram is empty.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | null {
  if (q < 0 || q > 1) throw new RangeError(`quantile ${q} is outside 0..1`);
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank && bucket.count > lowerCount) {
      if (bucket.le === Infinity) return lowerBound;
      return lowerBound + (bucket.le - lowerBound) * ((rank - lowerCount) / (bucket.count - lowerCount));
    }
    if (bucket.le !== Infinity) lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}

/**
 * Earlier snapshots, to measure rates against: {@link record} keeps the ones of the last `windowMs` (and the
 * newest older one) and answers the baseline for a new snapshot: the oldest kept one inside the window that is at
 * least `minSpanMs` older, else the newest one that is, so a page that looks rarely still gets a rate.
 */
export class SnapshotHistory {
  readonly #kept: MetricsSnapshot[] = [];
  readonly windowMs: number;
  readonly minSpanMs: number;

  constructor(windowMs = 10_000, minSpanMs = 1_000) {
    this.windowMs = windowMs;
    this.minSpanMs = minSpanMs;
  }

  /** Keeps `current` (unless one was kept less than a quarter of `minSpanMs` ago) and returns its baseline. */
  record(current: MetricsSnapshot): MetricsSnapshot | undefined {
    const old = this.#kept.filter((s) => s.at <= current.at - this.minSpanMs);
    const inWindow = old.find((s) => s.at >= current.at - this.windowMs);
    const baseline = inWindow ?? old.at(-1);
    const last = this.#kept.at(-1);
    if (last === undefined || current.at - last.at >= this.minSpanMs / 4) this.#kept.push(current);
    // Drop what fell out of the window, but keep the newest snapshot before it.
    while (this.#kept.length > 1 && this.#kept[1].at < current.at - this.windowMs) this.#kept.shift();
    return baseline;
  }

  /** How many snapshots are kept. */
  get size(): number {
    return this.#kept.length;
  }
}

/** What {@link buildDashboard} is built from. */
export interface DashboardInputs {
  current: MetricsSnapshot;
  /** An earlier snapshot to measure rates against (see {@link SnapshotHistory}). */
  baseline?: MetricsSnapshot;
  routes: Iterable<Route>;
  /** Dead-lettered hops per route id (a disabled route's), since start. */
  failedByRoute: ReadonlyMap<string, number>;
  lag: LagView;
  /** Newest first. */
  failures: readonly Failure[];
  routesFile?: RoutesFileView;
  deadLetterTopics?: SampledView<DeadLetterCount>;
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
const toMs = (seconds: number | null) => seconds === null ? null : seconds * 1000;

/** The document of `/api/dashboard`: one row per route of the registry, in the registry's order. */
export function buildDashboard(inputs: DashboardInputs): DashboardData {
  const { current, baseline } = inputs;
  const spanMs = baseline ? current.at - baseline.at : 0;
  const rate = (after: number, before: number | undefined) =>
    baseline && spanMs > 0 ? ratePerSecond(before ?? 0, after, spanMs) : null;

  const routes: RouteView[] = [...inputs.routes].map((route) => {
    const forwarded = current.forwarded[route.routeId] ?? 0;
    const failed = inputs.failedByRoute.get(route.routeId) ?? 0;
    const buckets = current.processing[route.routeId] ?? [];
    const recent = baseline ? bucketDelta(buckets, baseline.processing[route.routeId]) : [];
    return {
      workerName: route.workerName,
      routeId: route.routeId,
      targetTopic: route.targetTopic,
      enabled: route.enabled,
      forwarded,
      perSecond: rate(forwarded, baseline?.forwarded[route.routeId]),
      failed,
      successRatio: forwarded + failed > 0 ? forwarded / (forwarded + failed) : null,
      p95RecentMs: toMs(histogramQuantile(0.95, recent)),
      p95Ms: toMs(histogramQuantile(0.95, buckets)),
    };
  });

  const forwarded = sum(current.forwarded);
  const deadLettered = sum(current.deadLettered);
  const deadLetters = Object.entries(current.deadLettered)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([reason, count]) => ({ reason, count, perSecond: rate(count, baseline?.deadLettered[reason]) }));

  return {
    generatedAt: new Date(current.at).toISOString(),
    windowSeconds: baseline && spanMs > 0 ? spanMs / 1000 : null,
    totals: {
      received: current.received,
      forwarded,
      deadLettered,
      successRatio: forwarded + deadLettered > 0 ? forwarded / (forwarded + deadLettered) : null,
      forwardedPerSecond: rate(forwarded, baseline ? sum(baseline.forwarded) : undefined),
      deadLetteredPerSecond: rate(deadLettered, baseline ? sum(baseline.deadLettered) : undefined),
    },
    routes,
    deadLetters,
    lag: {
      sampledAt: inputs.lag.sampledAt,
      error: inputs.lag.error,
      rows: inputs.lag.rows.map((r) => ({
        group: r.group,
        topic: r.topic,
        partitions: r.partitions,
        totalLag: r.totalLag,
        worst: r.worst,
        lagSeconds: r.lagSeconds,
        lagSecondsFrom: r.lagSecondsFrom,
        status: r.status,
      })),
    },
    failures: [...inputs.failures],
    deadLetterTopics: inputs.deadLetterTopics ?? null,
    routesFile: inputs.routesFile ?? null,
  };
}
