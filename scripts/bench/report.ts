/**
 * The bench's result: the figures (written as JSON by `--json`, field names as in docs/bench-latest.json) and
 * the Markdown table printed on stdout (and written by `--markdown`), with each figure's aim.
 *
 * @module
 */
import type { CryptoResult } from "./crypto_run.ts";
import type { KafkaPerfResult } from "./kafka_perf_run.ts";
import type { LatencyRunResult } from "./latency_run.ts";
import type { BenchMode } from "./mode.ts";
import type { CapacityFigures } from "./capacity_run.ts";
import type { IdleFigures } from "./idle_run.ts";
import { curveKeys, curveLost, curveTables } from "./curve_report.ts";
import { median } from "./stats.ts";
import type { StepFigures } from "./step_figures.ts";
import type { ThroughputResults } from "./throughput_runs.ts";

/** Everything one bench run measured; a part that did not run (`--only`) is missing. */
export interface BenchResults {
  mode: BenchMode;
  envelopeBytes?: number;
  throughput?: ThroughputResults;
  perf?: KafkaPerfResult;
  /** The latency run with the command center alone. */
  routerLatency?: LatencyRunResult;
  /** The latency run with the whole chain. */
  latency?: LatencyRunResult;
  crypto?: CryptoResult;
  /** The whole chain at each rate of the curve. */
  curve?: StepFigures[];
  capacity?: CapacityFigures;
  idle?: IdleFigures;
}

/** The figures of a run, in the order (and with the names) of the JSON file; a part's keys only when it ran. */
export function benchFigures(results: BenchResults) {
  const { mode, throughput: t, perf, routerLatency, latency, crypto, curve, capacity } = results;
  const curveRss: Record<string, number> = {};
  for (const point of curve ?? []) {
    for (const [role, mib] of Object.entries(point.rss_mib)) {
      curveRss[`${role} (curve)`] = Math.max(curveRss[`${role} (curve)`] ?? 0, mib);
    }
  }
  return {
    mode: mode.name,
    ...(t || perf ? { messages: mode.messages, envelope_bytes: results.envelopeBytes } : {}),
    ...(t
      ? {
        runs: mode.runs,
        router_msgs_per_s: Math.round(median(t.withLog)),
        router_nolog_msgs_per_s: Math.round(median(t.withoutLog)),
        baseline_msgs_per_s: Math.round(median(t.relay)),
        router_to_baseline: median(t.withLog) / median(t.relay),
        router_cold_msgs_per_s: Math.round(median(t.coldWithLog)),
        baseline_cold_msgs_per_s: Math.round(median(t.coldRelay)),
        router_to_baseline_cold: median(t.coldWithLog) / median(t.coldRelay),
      }
      : {}),
    ...(perf
      ? {
        kafka_producer_perf_msgs_per_s: Math.round(perf.producerRate),
        kafka_consumer_perf_msgs_per_s: Math.round(perf.consumerRate),
      }
      : {}),
    ...(routerLatency && latency
      ? {
        latency_rate_msgs_per_s: mode.rate,
        latency_seconds: mode.seconds,
        latency_completed: latency.completed,
        hop_p50_ms: routerLatency.hop.p50,
        hop_p95_ms: routerLatency.hop.p95,
        hop_p99_ms: routerLatency.hop.p99,
        hop_max_ms: routerLatency.hop.max,
        chain_hop_p50_ms: latency.hop.p50,
        chain_hop_p95_ms: latency.hop.p95,
        chain_hop_p99_ms: latency.hop.p99,
        chain_hop_max_ms: latency.hop.max,
        e2e_p50_ms: latency.e2e.p50,
        e2e_p95_ms: latency.e2e.p95,
        e2e_p99_ms: latency.e2e.p99,
        e2e_max_ms: latency.e2e.max,
      }
      : {}),
    ...(crypto
      ? {
        crypto_us: crypto.sequential,
        crypto_concurrent_us: crypto.concurrent,
        crypto_order_bytes: crypto.size,
      }
      : {}),
    rss_mib: {
      ...(t ? { "command-center (throughput)": Math.max(...t.routerRss) } : {}),
      ...latency?.rss,
      ...curveRss,
    } as Record<string, number>,
    ...(latency ? { cpu_s_whole_chain_run: latency.cpu } : {}),
    ...curveKeys(curve, capacity),
    ...(results.idle
      ? { idle_percent_of_a_core: results.idle.percent_of_a_core, idle_seconds: results.idle.seconds }
      : {}),
    lost: (t?.lost ?? 0) + (latency ? latency.published - latency.completed : 0) +
      (routerLatency ? routerLatency.published - routerLatency.completed : 0) + curveLost(curve),
  };
}

/** The figures of a run, as {@link benchFigures} gives them. */
export type BenchFigures = ReturnType<typeof benchFigures>;

/** The figures as JSON (what `--json` writes). */
export function figuresJson(figures: BenchFigures): string {
  return JSON.stringify(figures, null, 2) + "\n";
}

type Row = [string, string, string];

/**
 * The Markdown table of the figures, `| figure | measured | aim |`, rows only for the parts that ran; then the
 * curve's and the capacity search's tables when they ran.
 */
export function benchTable(figures: BenchFigures): string {
  const f = (n: number | undefined, digits = 0) =>
    typeof n === "number" && Number.isFinite(n) ? n.toFixed(digits) : "n/a";
  const x = figures;
  const rate = x.latency_rate_msgs_per_s;
  const rows: Row[] = [];
  if (x.router_msgs_per_s !== undefined) {
    rows.push(
      [
        `router, metadata log on (median of ${x.runs})`,
        `${f(x.router_msgs_per_s)} msg/s`,
        "≥ 49,000 msg/s (2× issue 10's 24,536)",
      ],
      ["router, metadata log off", `${f(x.router_nolog_msgs_per_s)} msg/s`, ""],
      ["kcat relay (baseline)", `${f(x.baseline_msgs_per_s)} msg/s`, ""],
      ["router / kcat, steady (first to last arrival)", `${f(x.router_to_baseline! * 100)} %`, "≥ 30 %"],
      [
        "router / kcat, cold (process start to last arrival)",
        `${f(x.router_cold_msgs_per_s)} / ${f(x.baseline_cold_msgs_per_s)} msg/s = ${
          f(x.router_to_baseline_cold! * 100)
        } %`,
        "",
      ],
    );
  }
  if (x.kafka_producer_perf_msgs_per_s !== undefined) {
    rows.push(
      ["Kafka ProducerPerformance", `${f(x.kafka_producer_perf_msgs_per_s)} msg/s`, ""],
      ["Kafka ConsumerPerformance", `${f(x.kafka_consumer_perf_msgs_per_s)} msg/s`, ""],
    );
  }
  if (rate !== undefined) {
    rows.push(
      [
        `router hop, router alone, p50 / p95 / p99 / max at ${rate}/s`,
        `${f(x.hop_p50_ms)} / ${f(x.hop_p95_ms)} / ${f(x.hop_p99_ms)} / ${f(x.hop_max_ms)} ms`,
        "p99 ≤ 5 ms",
      ],
      [
        `router hop, whole chain running, p50 / p95 / p99 / max at ${rate}/s`,
        `${f(x.chain_hop_p50_ms)} / ${f(x.chain_hop_p95_ms)} / ${f(x.chain_hop_p99_ms)} / ${
          f(x.chain_hop_max_ms)
        } ms`,
        "p99 ≤ 5 ms",
      ],
      [
        `end-to-end p50 / p95 / p99 / max at ${rate}/s`,
        `${f(x.e2e_p50_ms)} / ${f(x.e2e_p95_ms)} / ${f(x.e2e_p99_ms)} / ${f(x.e2e_max_ms)} ms`,
        "p99 ≤ 250 ms (design 10–20 ms)",
      ],
    );
  }
  if (x.crypto_us !== undefined) {
    rows.push(
      [
        `crypto, encrypt+decrypt of ${x.crypto_order_bytes} B, sequential`,
        `${f(x.crypto_us, 1)} µs`,
        "≪ 1 ms",
      ],
      ["crypto, 64 concurrent", `${f(x.crypto_concurrent_us, 1)} µs per op`, ""],
    );
  }
  if (x.capacity_orders_per_s !== undefined) {
    rows.push([
      "whole chain capacity (e2e p99 ≤ 250 ms)",
      `${f(x.capacity_orders_per_s)} orders/s`,
      "≥ 1,500",
    ]);
  }
  if (x.cpu_us_per_order !== undefined) {
    rows.push([
      `CPU per order, all processes, at ${x.cpu_us_per_order_at_orders_per_s}/s`,
      `${f(x.cpu_us_per_order.all)} µs`,
      "≤ 1,000 µs",
    ]);
  }
  rows.push(
    ...Object.entries(x.rss_mib).map(([role, mib]): Row => [`peak RSS ${role}`, `${f(mib)} MiB`, ""]),
  );
  for (const [name, seconds] of Object.entries(x.cpu_s_whole_chain_run ?? {})) {
    rows.push([`CPU seconds of ${name} in the whole-chain run`, `${f(seconds, 1)} s`, ""]);
  }
  if (x.idle_percent_of_a_core) {
    for (const [name, share] of Object.entries(x.idle_percent_of_a_core)) {
      rows.push([
        `idle, ${name}: % of a core over ${x.idle_seconds} s`,
        `${f(share, 2)} %`,
        name === "all" ? "≤ 10 %" : "",
      ]);
    }
  }
  rows.push(["lost (in − out, every run)", String(x.lost), "0"]);
  const table = [
    "| figure | measured | aim |",
    "| --- | --- | --- |",
    ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
  ].join("\n");
  const curve = curveTables(x.curve, x.capacity);
  return curve ? `${table}\n\n${curve}` : table;
}
