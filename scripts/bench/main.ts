/**
 * `deno task bench [--quick] [--only PARTS] [--json FILE] [--markdown FILE] [--plot FILE]`: chain's speed on this
 * machine, measured the same way every time, against the same real services as the tests. Never part of
 * `deno task test`.
 *
 * 1. Router throughput (router_run.ts): N envelopes preloaded into an inbox, the command center started as its
 *    own process, timed until all N are on their target topic; with the metadata log on and off. Counted in
 *    and out. Its baseline in the same run: a kcat relay (relay_run.ts; C, librdkafka) of the same bytes.
 * 2. Kafka's own ProducerPerformance / ConsumerPerformance (kafka_perf_run.ts): the broker's raw limit.
 * 3. Latency at a fixed rate (latency_run.ts): per router hop (inbox append → target append, broker
 *    LogAppendTime on both), the router alone and with the whole chain, and end to end (inbox append →
 *    service-2's "order fulfilled" line).
 * 4. Crypto (crypto_run.ts): µs per encrypt+decrypt of a ~1 KB order, sequential and concurrent.
 * 5. The curve (curve_run.ts): the whole chain at 50, 100, 300 and 1,000 orders/s, with hop and end-to-end
 *    percentiles, CPU µs per order of every process (Kafka and Cassandra included) and peak RSS of every role.
 * 6. Capacity (capacity_run.ts, capacity_search.ts): the highest rate the whole chain sustains with every
 *    order done in the run plus a short drain and end-to-end p99 ≤ 250 ms, with the same figures.
 *
 * The tables go to stdout, progress notes to stderr; the curve's plot to `--plot` (SVG).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { servicesUp } from "../../support/local_services.ts";
import { closeBenchContext, note, openBenchContext } from "./bench_context.ts";
import { capacityRun } from "./capacity_run.ts";
import { idleRun } from "./idle_run.ts";
import { cryptoRun } from "./crypto_run.ts";
import { curveChart, type CurveFigures } from "./curve_chart.ts";
import { curveTables } from "./curve_report.ts";
import { curveRun } from "./curve_run.ts";
import { sealedEnvelopes } from "./envelopes.ts";
import { kafkaPerfRun } from "./kafka_perf_run.ts";
import { latencyRun } from "./latency_run.ts";
import { benchMode } from "./mode.ts";
import { benchParts, parseParts, partDescriptions } from "./parts.ts";
import { ensureKcat } from "./relay_run.ts";
import { benchFigures, type BenchResults, benchTable, figuresJson } from "./report.ts";
import { svgLineChart } from "./svg_plot.ts";
import { throughputRuns } from "./throughput_runs.ts";

const usage = `deno task bench [--quick] [--only PARTS] [--json FILE] [--markdown FILE] [--plot FILE]
                [--capacity-seconds N]
deno task bench --replot JSON [--plot FILE]

  --quick               20,000 messages, 1 run, 10 s of latency, curve at 100 and 300 orders/s for 10 s each,
                        capacity steps of 10 s (full: 100,000 messages, 3 runs, 60 s; curve at 50, 100, 300 and
                        1,000 orders/s for 60 s each; capacity steps of 60 s)
  --only PARTS          run only these parts (comma-separated, or repeated):
${benchParts.map((p) => `                          ${p.padEnd(9)} ${partDescriptions[p]}`).join("\n")}
  --capacity-seconds N  length of each capacity step (default 60; quick 10)
  --json FILE           also write the figures as JSON (as docs/bench-latest.json)
  --markdown FILE       also write the tables
  --plot FILE           where the curve's SVG plot goes when the curve or capacity ran (default
                        docs/bench-curve.svg)
  --replot JSON         measure nothing: draw the plot and print the curve's tables from a JSON file of figures
  --help                print this and exit

Brings the local Kafka and Cassandra up unless KAFKA_BROKERS / CASSANDRA_CONTACT_POINTS name others.`;

/** Runs the bench with the command line `args`; prints the tables (or the usage, with `--help`). */
export async function bench(args: string[]): Promise<void> {
  const { values: flags } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", multiple: true },
      json: { type: "string" },
      markdown: { type: "string" },
      plot: { type: "string", default: "docs/bench-curve.svg" },
      "capacity-seconds": { type: "string" },
      replot: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (flags.help) {
    console.log(usage);
    return;
  }
  if (flags.replot) {
    const figures: CurveFigures = JSON.parse(await Deno.readTextFile(flags.replot));
    await writePlot(flags.plot!, figures);
    console.log(curveTables(figures.curve, figures.capacity));
    return;
  }
  const parts = parseParts(flags.only);
  const mode = benchMode(flags.quick!);
  const capacitySeconds = flags["capacity-seconds"]
    ? Number(flags["capacity-seconds"])
    : mode.capacitySeconds;
  if (!(capacitySeconds > 0)) throw new Error(`--capacity-seconds: not a positive number`);

  const started = performance.now();
  for (const line of await servicesUp()) note(line);
  if (parts.has("router")) await ensureKcat();

  const context = await openBenchContext(mode);
  const results: BenchResults = { mode };
  try {
    note(`mode ${mode.name}, parts ${[...parts].join(", ")}`);
    if (parts.has("router") || parts.has("kafka")) {
      note(`sealing ${mode.messages} envelopes`);
      const preloaded = await sealedEnvelopes(context.cryptoKey, mode.messages);
      results.envelopeBytes = Math.round(preloaded.reduce((s, v) => s + v.byteLength, 0) / preloaded.length);
      if (parts.has("router")) results.throughput = await throughputRuns(context, preloaded);
      if (parts.has("kafka")) {
        note("Kafka ProducerPerformance / ConsumerPerformance");
        results.perf = await kafkaPerfRun(context, mode.messages, results.envelopeBytes);
      }
    }
    if (parts.has("latency")) {
      note(`latency: ${mode.rate} orders/s for ${mode.seconds}s through the whole chain`);
      results.routerLatency = await latencyRun(context, false);
      note(
        `  router alone: hop p50 ${results.routerLatency.hop.p50} ms, p99 ${results.routerLatency.hop.p99} ms`,
      );
      results.latency = await latencyRun(context, true);
    }
    if (parts.has("crypto")) {
      note("crypto");
      results.crypto = await cryptoRun(context.cryptoKey, mode.cryptoOps);
    }
    if (parts.has("curve")) results.curve = await curveRun(context, mode.curveRates, mode.curveSeconds);
    if (parts.has("idle")) results.idle = await idleRun(context, mode.idleSeconds);
    if (parts.has("capacity")) {
      results.capacity = await capacityRun(context, capacitySeconds, mode.capacityBisections);
    }
  } finally {
    await closeBenchContext(context);
  }

  const figures = benchFigures(results);
  const table = benchTable(figures);
  console.log(table);
  if (flags.json) await Deno.writeTextFile(flags.json, figuresJson(figures));
  if (flags.markdown) await Deno.writeTextFile(flags.markdown, table + "\n");
  if (results.curve || results.capacity) await writePlot(flags.plot!, figures);
  note(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function writePlot(path: string, figures: CurveFigures): Promise<void> {
  await Deno.writeTextFile(path, svgLineChart(curveChart(figures)));
  note(`plot: ${path}`);
}

if (import.meta.main) await bench(Deno.args);
