/**
 * Part 2, the broker's raw limit: Kafka's own ProducerPerformance and ConsumerPerformance (from the local Kafka's
 * classpath in .local/services) on a topic of their own, with records the size of the bench's envelopes.
 *
 * @module
 */
import { stateDir } from "../../support/local_services.ts";
import { deleteTopics } from "../../support/topic_reader.ts";
import type { BenchContext } from "./bench_context.ts";
import { createBenchTopics } from "./bench_topics.ts";

/** Records per second Kafka's own tools reached. */
export interface KafkaPerfResult {
  producerRate: number;
  consumerRate: number;
}

/** Runs one of Kafka's tool classes on the local Kafka's classpath; its stdout. */
async function kafkaTool(args: string[]): Promise<string> {
  const classpath = [...Deno.readDirSync(stateDir)].find((e) => /^kafka-.*\.classpath$/.test(e.name));
  if (!classpath) throw new Error("no Kafka classpath in .local/services; run deno task services up");
  const cp = Deno.readTextFileSync(`${stateDir}/${classpath.name}`).trim();
  const result = await new Deno.Command("java", {
    args: ["-Xmx512m", "-cp", cp, "-Dlog4j2.configurationFile=/dev/null", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(result.stdout);
}

/** Produces `count` records of `recordSize` bytes, then consumes them, with Kafka's performance tools. */
export async function kafkaPerfRun(
  context: BenchContext,
  count: number,
  recordSize: number,
): Promise<KafkaPerfResult> {
  const topic = `${context.runId}-perf`;
  const brokers = context.brokers.join(",");
  await createBenchTopics(context.kafka, context.admin, [topic]);
  const produced = await kafkaTool([
    "org.apache.kafka.tools.ProducerPerformance",
    "--topic",
    topic,
    "--num-records",
    String(count),
    "--record-size",
    String(recordSize),
    "--throughput",
    "-1",
    "--producer-props",
    `bootstrap.servers=${brokers}`,
    "acks=all",
    // Batches as large as the router's requests: the broker's limit, not the default 16 kB batches'.
    "batch.size=1048576",
    "linger.ms=10",
  ]);
  const producerRate = Number(produced.match(/([\d.]+) records\/sec/g)?.at(-1)?.split(" ")[0]);
  const consumed = await kafkaTool([
    "org.apache.kafka.tools.ConsumerPerformance",
    "--bootstrap-server",
    brokers,
    "--topic",
    topic,
    "--messages",
    String(count),
    "--timeout",
    "60000",
  ]);
  // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
  const header = consumed.split("\n").find((l) => l.includes("nMsg.sec"))?.split(",").map((s) => s.trim()) ??
    [];
  const row = consumed.trim().split("\n").at(-1)?.split(",").map((s) => s.trim()) ?? [];
  const consumerRate = Number(row[header.indexOf("nMsg.sec")]);
  await deleteTopics(context.admin, [topic]);
  return { producerRate, consumerRate };
}
