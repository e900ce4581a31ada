/**
 * The command center's dashboard, wired: `/` and `/dashboard` serve the page (dashboard_page.ts), and
 * `/api/dashboard` the figures (dashboard_model.ts) from this process's prom-client counters, the live route
 * registry, the last failures (a {@link FailureTap} in front of the metadata log) and the consumer lag, sampled
 * in the background while the page is open (lag_watch.ts, with the adapter of `chain lag`).
 *
 * @module
 */
import type { Admin, Kafka } from "kafkajs";
import type { ChainMetrics } from "./chain_metrics.ts";
import type { Page } from "./http_server.ts";
import type { RouteRegistry } from "../routing/route_registry.ts";
import type { RoutingLog } from "../routing/routing_log.ts";
import { type LagSampling, type LagTarget, sampleConsumerLag } from "../kafka/consumer_lag.ts";
import {
  type Bucket,
  buildDashboard,
  type MetricsSnapshot,
  type RoutesFileView,
  SnapshotHistory,
} from "./dashboard_model.ts";
import { dashboardHtml } from "./dashboard_page.ts";
import { type LagSampler, LagWatch, type Sampler } from "./lag_watch.ts";
import type { DeadLetterCount } from "../dlq/dlq_summary.ts";
import { FailureTap, RecentFailures } from "./recent_failures.ts";

/** The figures' sources. */
export interface DashboardOptions {
  metrics: ChainMetrics;
  /** Read on every request, so live route changes show at once. */
  registry: RouteRegistry;
  /** Takes one lag sample; see {@link kafkaLagSampler}. */
  lagSampler: LagSampler;
  /** Between lag samples while the page is open (default 5 s). */
  lagIntervalMs?: number;
  /** Failures kept (default 20). */
  failuresKept?: number;
  /** The live routes against the routes file, read on every request. */
  routesFile?: () => RoutesFileView;
  /** Counts the dead-letter topics (see dlq_summary.ts); sampled every 30 s while the page is open. */
  deadLetterSampler?: Sampler<DeadLetterCount>;
  /** Called by {@link Dashboard.stop} once the sampling has ended (closes the sampler's client). */
  close?: () => Promise<void>;
  now?: () => number;
}

/** The dashboard of one command center. */
export class Dashboard {
  readonly failures: RecentFailures;
  readonly lag: LagWatch;
  readonly deadLetters: LagWatch<DeadLetterCount> | undefined;
  readonly #options: DashboardOptions;
  readonly #history = new SnapshotHistory(10_000, 1_000);
  readonly #now: () => number;

  constructor(options: DashboardOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.failures = new RecentFailures(options.failuresKept ?? 20);
    const intervalMs = options.lagIntervalMs ?? 5_000;
    this.lag = new LagWatch(options.lagSampler, { intervalMs, idleMs: 30_000, now: this.#now });
    // Reading the dead-letter topics to their end costs more than a lag sample: every 30 s, only while viewed.
    this.deadLetters = options.deadLetterSampler &&
      new LagWatch(options.deadLetterSampler, { intervalMs: 30_000, idleMs: 30_000, now: this.#now });
  }

  /** The metadata log to give the command center: `inner`, with failed rows noted for the page. */
  tap(inner: RoutingLog): RoutingLog {
    return new FailureTap(inner, this.failures);
  }

  /** The `/api/dashboard` document now. */
  async data() {
    this.lag.touch();
    this.deadLetters?.touch();
    const current = await readSnapshot(this.#options.metrics, this.#now());
    return buildDashboard({
      current,
      baseline: this.#history.record(current),
      routes: this.#options.registry.values(),
      failedByRoute: this.failures.failedByRoute,
      lag: this.lag.latest(),
      failures: this.failures.list(),
      routesFile: this.#options.routesFile?.(),
      deadLetterTopics: this.deadLetters?.latest(),
    });
  }

  /** The pages to add to the HTTP endpoint. */
  pages(): Record<string, Page> {
    const page: Page = () =>
      new Response(dashboardHtml(), {
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      });
    return {
      "/": page,
      "/dashboard": page,
      "/api/dashboard": async () =>
        Response.json(await this.data(), { headers: { "cache-control": "no-store" } }),
    };
  }

  /** Stops the lag sampling. */
  async stop(): Promise<void> {
    await this.lag.stop();
    await this.deadLetters?.stop();
    await this.#options.close?.();
  }
}

/** A command center's dashboard, its lag sampled with the kafkajs admin client on `targets`. */
export function commandCenterDashboard(
  kafka: Kafka,
  metrics: ChainMetrics,
  registry: RouteRegistry,
  targets: readonly LagTarget[],
  routesFile?: () => RoutesFileView,
  deadLetterSampler?: Sampler<DeadLetterCount>,
): Dashboard {
  const sampler = kafkaLagSampler(kafka, targets);
  return new Dashboard({
    metrics,
    registry,
    lagSampler: sampler.sample,
    close: sampler.close,
    routesFile,
    deadLetterSampler,
  });
}

/** The command center's counters, read from prom-client. */
export async function readSnapshot(metrics: ChainMetrics, at: number): Promise<MetricsSnapshot> {
  const [received, forwarded, deadLettered, processing] = await Promise.all([
    metrics.received.get(),
    metrics.forwarded.get(),
    metrics.deadLettered.get(),
    metrics.processing.get(),
  ]);
  const byLabel = (values: { labels: Record<string, unknown>; value: number }[], label: string) => {
    const out: Record<string, number> = {};
    for (const v of values) {
      const key = String(v.labels[label] ?? "");
      out[key] = (out[key] ?? 0) + v.value;
    }
    return out;
  };
  const buckets: Record<string, Bucket[]> = {};
  for (const v of processing.values) {
    if (v.metricName !== "chain_processing_seconds_bucket") continue;
    const routeId = String(v.labels.route_id ?? "");
    const bound = (v.labels as Record<string, string | number | undefined>).le;
    const le = bound === "+Inf" ? Infinity : Number(bound);
    (buckets[routeId] ??= []).push({ le, count: v.value });
  }
  for (const list of Object.values(buckets)) list.sort((a, b) => a.le - b.le);
  return {
    at,
    received: received.values.reduce((total, v) => total + v.value, 0),
    forwarded: byLabel(forwarded.values, "route_id"),
    deadLettered: byLabel(deadLettered.values, "reason"),
    processing: buckets,
  };
}

/** Two samples a second apart, no probe of record timestamps (no throwaway consumer every few seconds). */
export const dashboardSampling: LagSampling = { samples: 2, intervalMs: 1000, probeTimeoutMs: 0 };

/**
 * Samples `targets` with one admin client, kept connected between samples (and reconnected after a failure);
 * each target on its own, so one missing topic leaves the others' rows. `close` disconnects.
 */
export function kafkaLagSampler(
  kafka: Kafka,
  targets: readonly LagTarget[],
  sampling: LagSampling = dashboardSampling,
): { sample: LagSampler; close(): Promise<void> } {
  let admin: Admin | undefined;
  const drop = async () => {
    const old = admin;
    admin = undefined;
    await old?.disconnect().catch(() => {});
  };
  return {
    async sample(signal) {
      if (admin === undefined) {
        const fresh = kafka.admin();
        await fresh.connect();
        admin = fresh;
      }
      const connected = admin;
      const results = await Promise.allSettled(
        targets.map((target) => sampleConsumerLag(kafka, connected, [target], sampling, signal)),
      );
      const errors = results.flatMap((r, i) =>
        r.status === "rejected" ? [`${targets[i].group}: ${(r.reason as Error)?.message ?? r.reason}`] : []
      );
      if (errors.length === results.length) await drop();
      return {
        rows: results.flatMap((r) => r.status === "fulfilled" ? r.value : []),
        ...(errors.length > 0 ? { error: errors.join("; ") } : {}),
      };
    },
    close: drop,
  };
}
