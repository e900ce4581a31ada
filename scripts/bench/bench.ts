/**
 * `deno task bench [--quick] [--json FILE] [--markdown FILE]`: chain's speed on this machine, measured the same
 * way every time, against the same real services as the tests. Never part of `deno task test`.
 *
 * 1. Router throughput: N envelopes preloaded into an inbox, the command center started as its own process,
 *    timed until all N are on their target topic; with the metadata log on and off. Counted in and out.
 * 2. Baselines in the same run: a kcat relay (C, librdkafka) of the same bytes between two topics, and Kafka's
 *    own ProducerPerformance / ConsumerPerformance for the broker's raw limit.
 * 3. Latency at a fixed rate through the whole chain: per router hop (inbox append → target append, broker
 *    LogAppendTime on both) and end to end (inbox append → service-2's "order fulfilled" log line).
 * 4. Crypto: µs per encrypt+decrypt of a ~1 KB order, sequential and concurrent.
 * 5. Peak RSS (VmHWM) of each role process.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import { type Admin, Kafka, logLevel, type Producer } from "kafkajs";
import cassandra from "cassandra-driver";
import { servicesUp, stateDir } from "../../support/local_services.ts";
import { roleEnv, RoleProcess, topicEnv } from "../../support/role_process.ts";
import { median, summarise } from "./stats.ts";
import { startSmtpSink } from "../../support/smtp_sink.ts";
import { encodeEnvelope, openEnvelope, sealEnvelope } from "../../src/envelope/envelope.ts";
import { parseKey } from "../../src/envelope/aes_gcm.ts";
import { generateOrder } from "../../src/order/order.ts";
import { seededRandom } from "../../src/order/seeded_random.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "string" },
    markdown: { type: "string" },
  },
});
const quick = flags.quick!;
const mode = quick
  ? { name: "quick", messages: 20_000, runs: 1, rate: 1000, seconds: 10, cryptoOps: 2000 }
  : { name: "full", messages: 100_000, runs: 3, rate: 1000, seconds: 60, cryptoOps: 20_000 };

const brokers = (Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:9092").split(",");
const contactPoints = Deno.env.get("CASSANDRA_CONTACT_POINTS") ?? "127.0.0.1:9042";
const kafka = new Kafka({ clientId: "chain-bench", brokers, logLevel: logLevel.ERROR });
const runId = `bench-${Date.now().toString(36)}`;
const keyspace = runId.replaceAll("-", "_");
const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
const cryptoKey = await parseKey(key);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const note = (text: string) => console.error(`bench: ${text}`);

// ---- Kafka helpers -------------------------------------------------------------------------------------------

async function createTopics(admin: Admin, topics: string[]) {
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({
      topic,
      numPartitions: 3,
      // The broker stamps each record when it appends it: latencies are append-to-append on one clock.
      configEntries: [{ name: "message.timestamp.type", value: "LogAppendTime" }],
    })),
  });
}

async function topicCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/** Polls `topic` until it holds `expected` records; returns the rate from the first arrival to the last. */
/**
 * Polls `topic` until it holds `expected` records. `perSecond` counts from the first arrival to the last (the
 * relay's steady rate); `coldPerSecond` from `startedAt`, the moment the relay process was started, to the last
 * (start-up, connecting and joining included).
 */
async function timeArrivals(
  admin: Admin,
  topic: string,
  expected: number,
  startedAt: number,
  timeoutMs = 600_000,
) {
  const deadline = Date.now() + timeoutMs;
  let first: { at: number; count: number } | undefined;
  let count = 0;
  while (Date.now() < deadline) {
    count = await topicCount(admin, topic);
    const now = performance.now();
    if (count > 0 && !first) first = { at: now, count };
    if (count >= expected) {
      const span = (now - first!.at) / 1000;
      return {
        count,
        seconds: span,
        perSecond: span > 0 ? (count - first!.count) / span : NaN,
        coldPerSecond: count / ((now - startedAt) / 1000),
      };
    }
    await sleep(20);
  }
  return { count, seconds: NaN, perSecond: NaN, coldPerSecond: NaN };
}

async function preload(topic: string, values: Uint8Array[]) {
  // A producer per topic: kafkajs keeps refreshing metadata of every topic a producer ever used, deleted or not.
  const producer: Producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < values.length; i += 2000) {
    const messages = values.slice(i, i + 2000).map((value) => {
      const json = JSON.parse(new TextDecoder().decode(value));
      return { key: json.request_id as string, value: Buffer.from(value) };
    });
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

/** Reads every record of `topic`, with its key, append timestamp and value. */
async function readAll(topic: string, expected: number) {
  const consumer = kafka.consumer({
    groupId: `${runId}-reader-${crypto.randomUUID()}`,
    maxBytesPerPartition: 8 << 20,
  });
  const out: { key: string; timestamp: number; value: Buffer | null }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 120_000);
    consumer.run({
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) {
          out.push({ key: String(m.key), timestamp: Number(m.timestamp), value: m.value });
        }
        if (out.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return out;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The local Kafka and Cassandra processes, when chain started them. */
function servicePids(): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const name of ["kafka", "cassandra"]) {
    try {
      pids[name] = Number(Deno.readTextFileSync(`${stateDir}/${name}.pid`).trim());
    } catch {
      // An external service: its CPU is not ours to read.
    }
  }
  return pids;
}

function peakRssMiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = Number(status.match(/^VmHWM:\s+(\d+) kB/m)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

async function envelopes(count: number): Promise<Uint8Array[]> {
  const random = seededRandom(7);
  const out: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const order = generateOrder(random, { invalidAmount: false, index });
    out.push(encodeEnvelope(await sealEnvelope(cryptoKey, crypto.randomUUID(), "initial-publisher", order)));
  }
  return out;
}

const baseEnv = {
  KAFKA_BROKERS: brokers.join(","),
  CASSANDRA_CONTACT_POINTS: contactPoints,
  CASSANDRA_KEYSPACE: keyspace,
  LOG_LEVEL: "warn",
};

// ---- 1. Router throughput -----------------------------------------------------------------------------------

async function routerRun(admin: Admin, values: Uint8Array[], metadataLog: boolean, n: number) {
  const id = `${runId}-r${n}-${metadataLog ? "log" : "nolog"}`;
  const topics = { inbox: `${id}-inbox`, target: `${id}-s1`, dlq: `${id}-dlq` };
  await createTopics(admin, Object.values(topics));
  await preload(topics.inbox, values);
  const routes = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(
    routes,
    JSON.stringify({
      routes: { "initial-publisher": { targetTopic: topics.target, enabled: true, routeId: "bench" } },
    }),
  );
  const startedAt = performance.now();
  const router = new RoleProcess(
    "command-center",
    ["--role", "command-center"],
    roleEnv({
      ...baseEnv,
      INBOX_TOPIC: topics.inbox,
      COMMAND_CENTER_DLQ_TOPIC: topics.dlq,
      ROUTES_FILE: routes,
      METADATA_LOG: metadataLog ? "on" : "off",
      KAFKA_GROUP_ID: id,
      LOG_LEVEL: "info",
    }),
  );
  const timing = await timeArrivals(admin, topics.target, values.length, startedAt);
  const rss = peakRssMiB(router.pid);
  const stopped = await router.stop("SIGTERM");
  const out = await topicCount(admin, topics.target);
  const dead = await topicCount(admin, topics.dlq);
  const metadata = router.stderr.find((l) => l.includes("metadata log closed")) ?? "";
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
  await Deno.remove(routes);
  return {
    perSecond: timing.perSecond,
    coldPerSecond: timing.coldPerSecond,
    lost: values.length - out - dead,
    rss,
    exitCode: stopped.code,
    metadata: metadata ? JSON.parse(metadata).metadata : undefined,
  };
}

async function kcatRun(admin: Admin, values: Uint8Array[], n: number) {
  const id = `${runId}-kcat${n}`;
  const topics = { from: `${id}-in`, to: `${id}-out` };
  await createTopics(admin, Object.values(topics));
  await preload(topics.from, values);
  const b = brokers.join(",");
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
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
  return { perSecond: timing.perSecond, coldPerSecond: timing.coldPerSecond, lost: values.length - out };
}

// ---- 2. Kafka's own tools ------------------------------------------------------------------------------------

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

async function kafkaPerf(admin: Admin, count: number, recordSize: number) {
  const topic = `${runId}-perf`;
  await createTopics(admin, [topic]);
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
    `bootstrap.servers=${brokers.join(",")}`,
    "acks=all",
    // Batches as large as the router's requests: the broker's limit, not the default 16 kB batches'.
    "batch.size=1048576",
    "linger.ms=10",
  ]);
  const producerRate = Number(produced.match(/([\d.]+) records\/sec/g)?.at(-1)?.split(" ")[0]);
  const consumed = await kafkaTool([
    "org.apache.kafka.tools.ConsumerPerformance",
    "--bootstrap-server",
    brokers.join(","),
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
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  return { producerRate, consumerRate };
}

// ---- 3. Latency through the whole chain ----------------------------------------------------------------------

/**
 * Publishes at the fixed rate for the mode's duration. With `wholeChain` false only the command center runs
 * (the router's own hop latency); with it true all three consumers run and end-to-end latency is measured too.
 */
async function latencyRun(admin: Admin, wholeChain: boolean) {
  const id = `${runId}-lat${wholeChain ? "chain" : "router"}`;
  const topics = topicEnv(id);
  await createTopics(admin, Object.values(topics));
  const routes = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(
    routes,
    JSON.stringify({
      routes: {
        "initial-publisher": { targetTopic: topics.SERVICE_1_TOPIC, enabled: true, routeId: "r1" },
        "service-1-publisher": { targetTopic: topics.SERVICE_2_TOPIC, enabled: true, routeId: "r2" },
      },
    }),
  );
  const smtp = await startSmtpSink();
  const env = { ...baseEnv, ...topics, ROUTES_FILE: routes };
  const withKey = { ...env, ENCRYPTION_KEY: key, SMTP_URL: smtp.url };
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

  const inbox = await readAll(topics.INBOX_TOPIC, wholeChain ? count * 2 : count);
  const s1 = await readAll(topics.SERVICE_1_TOPIC, count);
  const s2 = wholeChain ? await readAll(topics.SERVICE_2_TOPIC, count) : [];
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
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
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

// ---- 4. Crypto -------------------------------------------------------------------------------------------------

async function cryptoRun(ops: number) {
  const random = seededRandom(5);
  const order = {
    ...generateOrder(random, { invalidAmount: false, index: 1 }),
    note: "x".repeat(700), // pads the order to about 1 KB of JSON
  };
  const size = JSON.stringify(order).length;
  const id = crypto.randomUUID();
  const once = async () =>
    openEnvelope(cryptoKey, await sealEnvelope(cryptoKey, id, "initial-publisher", order));
  for (let i = 0; i < 200; i++) await once(); // warm up
  let started = performance.now();
  for (let i = 0; i < ops; i++) await once();
  const sequential = ((performance.now() - started) * 1000) / ops;
  started = performance.now();
  for (let i = 0; i < ops; i += 64) await Promise.all(Array.from({ length: 64 }, once));
  const concurrent = ((performance.now() - started) * 1000) / ops;
  return { size, sequential, concurrent };
}

// ---- Run ---------------------------------------------------------------------------------------------------------

for (const line of await servicesUp()) note(line);
const kcatAvailable =
  (await new Deno.Command("bash", { args: ["-c", "command -v kcat"], stdout: "null" }).output())
    .success;
if (!kcatAvailable) {
  note("kcat is not installed; installing Debian's kcat package");
  await new Deno.Command("bash", {
    args: ["-c", "apt-get update -qq && apt-get install -y -qq kcat"],
    stdout: "null",
  }).output();
}

const admin = kafka.admin();
await admin.connect();

note(`mode ${mode.name}: sealing ${mode.messages} envelopes`);
const preloaded = await envelopes(mode.messages);
const envelopeBytes = Math.round(preloaded.reduce((s, v) => s + v.byteLength, 0) / preloaded.length);

const withLog: number[] = [], withoutLog: number[] = [], relay: number[] = [];
const coldWithLog: number[] = [], coldRelay: number[] = [];
let lost = 0;
const routerRss: number[] = [];
for (let run = 1; run <= mode.runs; run++) {
  note(`run ${run}/${mode.runs}: router with metadata log`);
  const a = await routerRun(admin, preloaded, true, run);
  note(`  ${a.perSecond.toFixed(0)} msg/s, lost ${a.lost}, metadata ${JSON.stringify(a.metadata)}`);
  note(`run ${run}/${mode.runs}: router without metadata log`);
  const b = await routerRun(admin, preloaded, false, run);
  note(`  ${b.perSecond.toFixed(0)} msg/s, lost ${b.lost}`);
  note(`run ${run}/${mode.runs}: kcat relay`);
  const c = await kcatRun(admin, preloaded, run);
  withLog.push(a.perSecond);
  withoutLog.push(b.perSecond);
  relay.push(c.perSecond);
  coldWithLog.push(a.coldPerSecond);
  coldRelay.push(c.coldPerSecond);
  lost += a.lost + b.lost + c.lost;
  routerRss.push(a.rss);
  note(`  ${c.perSecond.toFixed(0)} msg/s, lost ${c.lost}`);
}
note("Kafka ProducerPerformance / ConsumerPerformance");
const perf = await kafkaPerf(admin, mode.messages, envelopeBytes);
note(`latency: ${mode.rate} orders/s for ${mode.seconds}s through the whole chain`);
const routerLatency = await latencyRun(admin, false);
note(`  router alone: hop p50 ${routerLatency.hop.p50} ms, p99 ${routerLatency.hop.p99} ms`);
const latency = await latencyRun(admin, true);
note("crypto");
const cryptoResult = await cryptoRun(mode.cryptoOps);
await admin.disconnect();
// The run's metadata rows and orders go with its keyspace, so runs do not pile data onto the shared node.
const db = new cassandra.Client({
  contactPoints: contactPoints.split(","),
  localDataCenter: Deno.env.get("CASSANDRA_LOCAL_DC") ?? "datacenter1",
});
await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch((e) =>
  note(`could not drop ${keyspace}: ${e.message}`)
);
await db.shutdown();

const figures = {
  mode: mode.name,
  messages: mode.messages,
  runs: mode.runs,
  envelope_bytes: envelopeBytes,
  router_msgs_per_s: Math.round(median(withLog)),
  router_nolog_msgs_per_s: Math.round(median(withoutLog)),
  baseline_msgs_per_s: Math.round(median(relay)),
  router_to_baseline: median(withLog) / median(relay),
  router_cold_msgs_per_s: Math.round(median(coldWithLog)),
  baseline_cold_msgs_per_s: Math.round(median(coldRelay)),
  router_to_baseline_cold: median(coldWithLog) / median(coldRelay),
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
  crypto_us: cryptoResult.sequential,
  crypto_concurrent_us: cryptoResult.concurrent,
  crypto_order_bytes: cryptoResult.size,
  rss_mib: { "command-center (throughput)": Math.max(...routerRss), ...latency.rss },
  cpu_s_whole_chain_run: latency.cpu,
  lost: lost + (latency.published - latency.completed) + (routerLatency.published - routerLatency.completed),
};

const f = (n: number, digits = 0) => Number.isFinite(n) ? n.toFixed(digits) : "n/a";
const cpuRows: [string, string, string][] = Object.entries(latency.cpu).map((
  [name, seconds],
) => [`CPU seconds of ${name} in the whole-chain run`, `${f(seconds, 1)} s`, ""]);
const rows: [string, string, string][] = [
  [
    `router, metadata log on (median of ${mode.runs})`,
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
    `router hop, router alone, p50 / p95 / p99 / max at ${mode.rate}/s`,
    `${f(routerLatency.hop.p50)} / ${f(routerLatency.hop.p95)} / ${f(routerLatency.hop.p99)} / ${
      f(routerLatency.hop.max)
    } ms`,
    "p99 ≤ 5 ms",
  ],
  [
    `router hop, whole chain running, p50 / p95 / p99 / max at ${mode.rate}/s`,
    `${f(latency.hop.p50)} / ${f(latency.hop.p95)} / ${f(latency.hop.p99)} / ${f(latency.hop.max)} ms`,
    "p99 ≤ 5 ms",
  ],
  [
    `end-to-end p50 / p95 / p99 / max at ${mode.rate}/s`,
    `${f(latency.e2e.p50)} / ${f(latency.e2e.p95)} / ${f(latency.e2e.p99)} / ${f(latency.e2e.max)} ms`,
    "p99 ≤ 20 ms",
  ],
  [
    `crypto, encrypt+decrypt of ${cryptoResult.size} B, sequential`,
    `${f(cryptoResult.sequential, 1)} µs`,
    "≪ 1 ms",
  ],
  ["crypto, 64 concurrent", `${f(cryptoResult.concurrent, 1)} µs per op`, ""],
  ...Object.entries(figures.rss_mib).map(([role, mib]) =>
    [`peak RSS ${role}`, `${f(mib)} MiB`, ""] as [string, string, string]
  ),
  ...cpuRows,
  ["lost (in − out, every run)", String(figures.lost), "0"],
];
const table = [
  "| figure | measured | aim |",
  "| --- | --- | --- |",
  ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
].join("\n");
console.log(table);
if (flags.json) await Deno.writeTextFile(flags.json, JSON.stringify(figures, null, 2) + "\n");
if (flags.markdown) await Deno.writeTextFile(flags.markdown, table + "\n");
