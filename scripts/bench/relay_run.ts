/**
 * The baseline for part 1: a kcat relay (C, librdkafka) of the same preloaded bytes from one topic to another,
 * timed the same way as the router. Debian's kcat package is installed when it is missing.
 *
 * @module
 */
import { deleteTopics, topicCount } from "../../support/topic_reader.ts";
import { type BenchContext, note } from "./bench_context.ts";
import { createBenchTopics, preload, timeArrivals } from "./bench_topics.ts";

/** The figures of one relay run. */
export interface RelayRunResult {
  perSecond: number;
  coldPerSecond: number;
  /** Records that did not reach the second topic. */
  lost: number;
}

/** Installs Debian's kcat package (apt-get) when `kcat` is not on the PATH. */
export async function ensureKcat(): Promise<void> {
  const available =
    (await new Deno.Command("bash", { args: ["-c", "command -v kcat"], stdout: "null" }).output()).success;
  if (available) return;
  note("kcat is not installed; installing Debian's kcat package");
  await new Deno.Command("bash", {
    args: ["-c", "apt-get update -qq && apt-get install -y -qq kcat"],
    stdout: "null",
  }).output();
}

/** Relays `values` once with kcat between two new topics; `n` numbers the run. */
export async function relayRun(
  context: BenchContext,
  values: Uint8Array[],
  n: number,
): Promise<RelayRunResult> {
  const { kafka, admin } = context;
  const id = `${context.runId}-kcat${n}`;
  const topics = { from: `${id}-in`, to: `${id}-out` };
  await createBenchTopics(kafka, admin, Object.values(topics));
  await preload(kafka, topics.from, values);
  const b = context.brokers.join(",");
  // Keys and values hold no tab or newline (UUIDs, JSON of base64), so the plain text framing is exact.
  const startedAt = performance.now();
  const relay = new Deno.Command("bash", {
    args: [
      "-c",
      `kcat -C -b ${b} -t ${topics.from} -o beginning -e -q -f '%k\\t%s\\n' | kcat -P -b ${b} -t ${topics.to} -K '\\t' -X acks=all -X linger.ms=5 -X batch.num.messages=10000`,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const timing = await timeArrivals(admin, topics.to, values.length, startedAt);
  await relay.status;
  const out = await topicCount(admin, topics.to);
  await deleteTopics(admin, Object.values(topics));
  return { perSecond: timing.perSecond, coldPerSecond: timing.coldPerSecond, lost: values.length - out };
}
