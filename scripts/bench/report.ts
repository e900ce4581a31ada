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
import { median } from "./stats.ts";
import type { ThroughputResults } from "./throughput_runs.ts";

/** Everything one bench run measured. */
export interface BenchResults {
  mode: BenchMode;
  envelopeBytes: number;
  throughput: ThroughputResults;
  perf: KafkaPerfResult;
  /** The latency run with the command center alone. */
  routerLatency: LatencyRunResult;
  /** The latency run with the whole chain. */
  latency: LatencyRunResult;
  crypto: CryptoResult;
}

/** The figures of a run, in the order (and with the names) of the JSON file. */
export function benchFigures(results: BenchResults) {
  const { mode, throughput: t, perf, routerLatency, latency, crypto } = results;
  return {
    mode: mode.name,
    messages: mode.messages,
    runs: mode.runs,
    envelope_bytes: results.envelopeBytes,
    router_msgs_per_s: Math.round(median(t.withLog)),
    router_nolog_msgs_per_s: Math.round(median(t.withoutLog)),
    baseline_msgs_per_s: Math.round(median(t.relay)),
    router_to_baseline: median(t.withLog) / median(t.relay),
    router_cold_msgs_per_s: Math.round(median(t.coldWithLog)),
    baseline_cold_msgs_per_s: Math.round(median(t.coldRelay)),
    router_to_baseline_cold: median(t.coldWithLog) / median(t.coldRelay),
    kafka_producer_perf_msgs_per_s: Math.round(perf.producerRate),
    kafka_consumer_perf_msgs_per_s: Math.round(perf.consumerRate),
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
    crypto_us: crypto.sequential,
    crypto_concurrent_us: crypto.concurrent,
    crypto_order_bytes: crypto.size,
    rss_mib: { "command-center (throughput)": Math.max(...t.routerRss), ...latency.rss } as Record<
      string,
      number
    >,
    cpu_s_whole_chain_run: latency.cpu,
    lost: t.lost + (latency.published - latency.completed) +
      (routerLatency.published - routerLatency.completed),
  };
}

/** The figures of a run, as {@link benchFigures} gives them. */
export type BenchFigures = ReturnType<typeof benchFigures>;

/** The figures as JSON (what `--json` writes). */
export function figuresJson(figures: BenchFigures): string {
  return JSON.stringify(figures, null, 2) + "\n";
}

/** The Markdown table of the figures: `| figure | measured | aim |`. */
export function benchTable(figures: BenchFigures): string {
  const f = (n: number, digits = 0) => Number.isFinite(n) ? n.toFixed(digits) : "n/a";
  const rate = figures.latency_rate_msgs_per_s;
  const cpuRows: [string, string, string][] = Object.entries(figures.cpu_s_whole_chain_run).map((
    [name, seconds],
  ) => [`CPU seconds of ${name} in the whole-chain run`, `${f(seconds, 1)} s`, ""]);
  const rows: [string, string, string][] = [
    [
      `router, metadata log on (median of ${figures.runs})`,
      `${f(figures.router_msgs_per_s)} msg/s`,
      "≥ 10,000 msg/s",
    ],
    ["router, metadata log off", `${f(figures.router_nolog_msgs_per_s)} msg/s`, ""],
    ["kcat relay (baseline)", `${f(figures.baseline_msgs_per_s)} msg/s`, ""],
    ["router / kcat, steady (first to last arrival)", `${f(figures.router_to_baseline * 100)} %`, "≥ 50 %"],
    [
      "router / kcat, cold (process start to last arrival)",
      `${f(figures.router_cold_msgs_per_s)} / ${f(figures.baseline_cold_msgs_per_s)} msg/s = ${
        f(figures.router_to_baseline_cold * 100)
      } %`,
      "",
    ],
    ["Kafka ProducerPerformance", `${f(figures.kafka_producer_perf_msgs_per_s)} msg/s`, ""],
    ["Kafka ConsumerPerformance", `${f(figures.kafka_consumer_perf_msgs_per_s)} msg/s`, ""],
    [
      `router hop, router alone, p50 / p95 / p99 / max at ${rate}/s`,
      `${f(figures.hop_p50_ms)} / ${f(figures.hop_p95_ms)} / ${f(figures.hop_p99_ms)} / ${
        f(figures.hop_max_ms)
      } ms`,
      "p99 ≤ 5 ms",
    ],
    [
      `router hop, whole chain running, p50 / p95 / p99 / max at ${rate}/s`,
      `${f(figures.chain_hop_p50_ms)} / ${f(figures.chain_hop_p95_ms)} / ${f(figures.chain_hop_p99_ms)} / ${
        f(figures.chain_hop_max_ms)
      } ms`,
      "p99 ≤ 5 ms",
    ],
    [
      `end-to-end p50 / p95 / p99 / max at ${rate}/s`,
      `${f(figures.e2e_p50_ms)} / ${f(figures.e2e_p95_ms)} / ${f(figures.e2e_p99_ms)} / ${
        f(figures.e2e_max_ms)
      } ms`,
      "p99 ≤ 20 ms",
    ],
    [
      `crypto, encrypt+decrypt of ${figures.crypto_order_bytes} B, sequential`,
      `${f(figures.crypto_us, 1)} µs`,
      "≪ 1 ms",
    ],
    ["crypto, 64 concurrent", `${f(figures.crypto_concurrent_us, 1)} µs per op`, ""],
    ...Object.entries(figures.rss_mib).map(([role, mib]) =>
      [`peak RSS ${role}`, `${f(mib)} MiB`, ""] as [string, string, string]
    ),
    ...cpuRows,
    ["lost (in − out, every run)", String(figures.lost), "0"],
  ];
  return [
    "| figure | measured | aim |",
    "| --- | --- | --- |",
    ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
  ].join("\n");
}
