/**
 * `deno task bench [--quick] [--json FILE] [--markdown FILE]`: chain's speed on this machine, measured the same
 * way every time, against the same real services as the tests. Never part of `deno task test`.
 *
 * 1. Router throughput (router_run.ts): N envelopes preloaded into an inbox, the command center started as its
 *    own process, timed until all N are on their target topic; with the metadata log on and off. Counted in
 *    and out.
 * 2. Baselines in the same run: a kcat relay (relay_run.ts; C, librdkafka) of the same bytes between two topics,
 *    and Kafka's own ProducerPerformance / ConsumerPerformance (kafka_perf_run.ts) for the broker's raw limit.
 * 3. Latency at a fixed rate through the whole chain (latency_run.ts): per router hop (inbox append → target
 *    append, broker LogAppendTime on both) and end to end (inbox append → service-2's "order fulfilled" line).
 * 4. Crypto (crypto_run.ts): µs per encrypt+decrypt of a ~1 KB order, sequential and concurrent.
 * 5. Peak RSS (VmHWM) of each role process.
 *
 * The table goes to stdout, progress notes to stderr.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { servicesUp } from "../../support/local_services.ts";
import { closeBenchContext, note, openBenchContext } from "./bench_context.ts";
import { cryptoRun } from "./crypto_run.ts";
import { sealedEnvelopes } from "./envelopes.ts";
import { kafkaPerfRun } from "./kafka_perf_run.ts";
import { latencyRun } from "./latency_run.ts";
import { benchMode } from "./mode.ts";
import { ensureKcat } from "./relay_run.ts";
import { benchFigures, benchTable, figuresJson } from "./report.ts";
import { throughputRuns } from "./throughput_runs.ts";

const usage = `deno task bench [--quick] [--json FILE] [--markdown FILE]

  --quick          20,000 messages, 1 run, 10 s of latency (full: 100,000 messages, 3 runs, 60 s)
  --json FILE      also write the figures as JSON (as docs/bench-latest.json)
  --markdown FILE  also write the table
  --help           print this and exit

Brings the local Kafka and Cassandra up unless KAFKA_BROKERS / CASSANDRA_CONTACT_POINTS name others.`;

/** Runs the whole bench with the command line `args`; prints the table (or the usage, with `--help`). */
export async function bench(args: string[]): Promise<void> {
  const { values: flags } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      markdown: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (flags.help) {
    console.log(usage);
    return;
  }
  const mode = benchMode(flags.quick!);

  for (const line of await servicesUp()) note(line);
  await ensureKcat();

  const context = await openBenchContext(mode);
  let figures;
  try {
    note(`mode ${mode.name}: sealing ${mode.messages} envelopes`);
    const preloaded = await sealedEnvelopes(context.cryptoKey, mode.messages);
    const envelopeBytes = Math.round(preloaded.reduce((s, v) => s + v.byteLength, 0) / preloaded.length);

    const throughput = await throughputRuns(context, preloaded);
    note("Kafka ProducerPerformance / ConsumerPerformance");
    const perf = await kafkaPerfRun(context, mode.messages, envelopeBytes);
    note(`latency: ${mode.rate} orders/s for ${mode.seconds}s through the whole chain`);
    const routerLatency = await latencyRun(context, false);
    note(`  router alone: hop p50 ${routerLatency.hop.p50} ms, p99 ${routerLatency.hop.p99} ms`);
    const latency = await latencyRun(context, true);
    note("crypto");
    const crypto = await cryptoRun(context.cryptoKey, mode.cryptoOps);
    figures = benchFigures({ mode, envelopeBytes, throughput, perf, routerLatency, latency, crypto });
  } finally {
    await closeBenchContext(context);
  }

  const table = benchTable(figures);
  console.log(table);
  if (flags.json) await Deno.writeTextFile(flags.json, figuresJson(figures));
  if (flags.markdown) await Deno.writeTextFile(flags.markdown, table + "\n");
}

if (import.meta.main) await bench(Deno.args);
