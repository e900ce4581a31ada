/**
 * Part 3, latency at a fixed rate: the publisher sends the mode's rate for the mode's duration; per router hop
 * (inbox append → target append, broker LogAppendTime on both) and, with the whole chain running, end to end
 * (inbox append → service-2's "order fulfilled" log line). Also the roles' peak RSS and CPU seconds.
 *
 * @module
 */
import { roleEnv, RoleProcess, topicEnv } from "../../support/role_process.ts";
import { startSmtpSink } from "../../support/smtp_sink.ts";
import { deleteTopics, readTopic, topicCount } from "../../support/topic_reader.ts";
import { type BenchContext, note, sleep } from "./bench_context.ts";
import { createBenchTopics } from "./bench_topics.ts";
import { cpuSeconds, peakRssMiB, servicePids } from "./process_stats.ts";
import { writeRoutesFile } from "./routes_file.ts";
import { type LatencySummary, summarise } from "./stats.ts";

/** The figures of one latency run. */
export interface LatencyRunResult {
  /** Router hops, ms. */
  hop: LatencySummary;
  /** Inbox append to service-2's completion, ms (whole chain only). */
  e2e: LatencySummary;
  /** Peak RSS per role, MiB. */
  rss: Record<string, number>;
  /** CPU seconds per role, and of the local Kafka and Cassandra during the run. */
  cpu: Record<string, number>;
  published: number;
  /** Orders measured: completed ones (whole chain) or routed ones (router alone). */
  completed: number;
}

/**
 * Publishes at the fixed rate for the mode's duration. With `wholeChain` false only the command center runs
 * (the router's own hop latency); with it true all three consumers run and end-to-end latency is measured too.
 */
export async function latencyRun(context: BenchContext, wholeChain: boolean): Promise<LatencyRunResult> {
  const { kafka, admin, mode } = context;
  const id = `${context.runId}-lat${wholeChain ? "chain" : "router"}`;
  const topics = topicEnv(id);
  // The routes topic (one partition, compacted) is left to the command center and init to create.
  const { ROUTES_TOPIC: _routes, ...dataTopics } = topics;
  await createBenchTopics(kafka, admin, Object.values(dataTopics));
  const routes = await writeRoutesFile({
    "initial-publisher": { targetTopic: topics.SERVICE_1_TOPIC, routeId: "r1" },
    "service-1-publisher": { targetTopic: topics.SERVICE_2_TOPIC, routeId: "r2" },
  });
  const smtp = await startSmtpSink();
  const env = { ...context.baseEnv, ...topics, ROUTES_FILE: routes };
  const withKey = { ...env, ENCRYPTION_KEY: context.key, SMTP_URL: smtp.url };
  const roles = [
    new RoleProcess(
      "command-center",
      ["--role", "command-center"],
      roleEnv({ ...env, KAFKA_GROUP_ID: `${id}-cc` }),
    ),
  ];
  if (wholeChain) {
    roles.push(
      new RoleProcess(
        "service-1",
        ["--role", "service-1"],
        roleEnv({ ...withKey, KAFKA_GROUP_ID: `${id}-s1` }),
      ),
      new RoleProcess(
        "service-2",
        ["--role", "service-2"],
        roleEnv({ ...withKey, KAFKA_GROUP_ID: `${id}-s2`, LOG_LEVEL: "info" }),
      ),
    );
  }
  const services = servicePids();
  const serviceCpuBefore = Object.fromEntries(
    Object.entries(services).map(([n, pid]) => [n, cpuSeconds(pid)]),
  );
  const count = mode.rate * mode.seconds;
  // Let the consumers join their groups before the clock starts.
  await sleep(8000);
  const publisher = new RoleProcess("publisher", [
    "--role",
    "publisher",
    "--count",
    String(count),
    "--rate",
    String(mode.rate),
    "--progress",
    "off",
    "--seed",
    "3",
  ], roleEnv({ ...withKey, LOG_LEVEL: "warn" }));
  const publisherCpu = { value: NaN };
  const sampler = setInterval(() => {
    const seconds = cpuSeconds(publisher.pid);
    if (Number.isFinite(seconds)) publisherCpu.value = seconds;
  }, 100);
  await publisher.finished();
  clearInterval(sampler);
  if (wholeChain) {
    await roles[2].waitForStderr(/"outcome":"(fulfilled|rejected)"/, count, 300_000).catch((e) =>
      note(e.message)
    );
  } else {
    const deadline = Date.now() + 120_000;
    while (await topicCount(admin, topics.SERVICE_1_TOPIC) < count && Date.now() < deadline) await sleep(200);
  }
  const cpu: Record<string, number> = { publisher: publisherCpu.value };
  for (const r of roles) cpu[r.name] = cpuSeconds(r.pid);
  for (const [name, pid] of Object.entries(services)) cpu[name] = cpuSeconds(pid) - serviceCpuBefore[name];
  const rss: Record<string, number> = {};
  for (const r of roles) rss[r.name] = peakRssMiB(r.pid);
  for (const r of roles) await r.stop("SIGTERM");
  await smtp.close();

  const read = (topic: string, expected: number) =>
    readTopic(kafka, topic, expected, { groupId: `${context.runId}-reader-${crypto.randomUUID()}` });
  const inbox = await read(topics.INBOX_TOPIC, wholeChain ? count * 2 : count);
  const s1 = await read(topics.SERVICE_1_TOPIC, count);
  const s2 = wholeChain ? await read(topics.SERVICE_2_TOPIC, count) : [];
  const firstAppend = new Map<string, number>();
  const secondAppend = new Map<string, number>();
  for (const r of inbox) {
    const worker = r.value ? JSON.parse(r.value.toString()).worker_name : "";
    (worker === "initial-publisher" ? firstAppend : secondAppend).set(r.key, r.timestamp);
  }
  const hops: number[] = [];
  for (const r of s1) if (firstAppend.has(r.key)) hops.push(r.timestamp - firstAppend.get(r.key)!);
  for (const r of s2) if (secondAppend.has(r.key)) hops.push(r.timestamp - secondAppend.get(r.key)!);
  // One figure per order: its first completion (a redelivery after a rebalance logs "repeated" later).
  const e2e: number[] = [];
  const done = new Set<string>();
  for (const line of wholeChain ? roles[2].stderr : []) {
    if (!/"outcome":"(fulfilled|rejected)"/.test(line)) continue;
    const entry = JSON.parse(line);
    const sent = firstAppend.get(entry.request_id);
    if (sent === undefined || done.has(entry.request_id)) continue;
    done.add(entry.request_id);
    e2e.push(Date.parse(entry.time) - sent);
  }
  await deleteTopics(admin, Object.values(topics));
  await Deno.remove(routes);
  return {
    hop: summarise(hops),
    e2e: summarise(e2e),
    rss,
    cpu,
    published: count,
    completed: wholeChain ? e2e.length : hops.length,
  };
}
