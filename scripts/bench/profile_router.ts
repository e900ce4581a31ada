/**
 * `deno run --allow-all scripts/bench/profile_router.ts [--messages N] [--metadata-log on|off]`: a CPU profile of
 * the command center while it routes N preloaded envelopes, taken through the V8 inspector, summarised as self
 * time per function and per package. What docs/benchmarks.md's findings rest on.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import { Kafka, logLevel } from "kafkajs";
import cassandra from "cassandra-driver";
import { servicesUp } from "../../support/local_services.ts";
import { chainPermissions, roleEnv } from "../../support/role_process.ts";
import { encodeEnvelope, sealEnvelope } from "../../src/envelope/envelope.ts";
import { parseKey } from "../../src/envelope/aes_gcm.ts";
import { generateOrder } from "../../src/order/order.ts";
import { seededRandom } from "../../src/order/seeded_random.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    messages: { type: "string", default: "100000" },
    "metadata-log": { type: "string", default: "on" },
  },
});
const count = Number(flags.messages);
const brokers = (Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:9092").split(",");
const root = new URL("../../", import.meta.url).pathname;
const id = `profile-${Date.now().toString(36)}`;
const topics = { inbox: `${id}-inbox`, target: `${id}-s1`, dlq: `${id}-dlq` };

for (const line of await servicesUp()) console.error(line);
const kafka = new Kafka({ clientId: "chain-profile", brokers, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  waitForLeaders: true,
  topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })),
});
const key = await parseKey(Buffer.alloc(32, 1).toString("base64"));
const random = seededRandom(1);
const producer = kafka.producer();
await producer.connect();
for (let i = 0; i < count; i += 2000) {
  const messages = [];
  for (let j = i; j < Math.min(count, i + 2000); j++) {
    const requestId = crypto.randomUUID();
    const order = generateOrder(random, { invalidAmount: false, index: j });
    messages.push({
      key: requestId,
      value: Buffer.from(encodeEnvelope(await sealEnvelope(key, requestId, "initial-publisher", order))),
    });
  }
  await producer.send({ topic: topics.inbox, acks: -1, messages });
}
await producer.disconnect();
const routes = await Deno.makeTempFile({ suffix: ".json" });
await Deno.writeTextFile(
  routes,
  JSON.stringify({
    routes: { "initial-publisher": { targetTopic: topics.target, enabled: true, routeId: "p" } },
  }),
);

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--inspect=127.0.0.1:9239",
    ...chainPermissions(),
    `${root}main.ts`,
    "--role",
    "command-center",
  ],
  env: roleEnv({
    KAFKA_BROKERS: brokers.join(","),
    INBOX_TOPIC: topics.inbox,
    COMMAND_CENTER_DLQ_TOPIC: topics.dlq,
    ROUTES_FILE: routes,
    KAFKA_GROUP_ID: id,
    CASSANDRA_KEYSPACE: "chain_profile",
    METADATA_LOG: flags["metadata-log"],
    LOG_LEVEL: "warn",
  }),
  clearEnv: true,
  stdout: "null",
  stderr: "null",
}).spawn();

// The inspector's WebSocket address, from its HTTP endpoint.
let target: string | undefined;
for (let i = 0; i < 50 && !target; i++) {
  await new Promise((r) => setTimeout(r, 100));
  target = await fetch("http://127.0.0.1:9239/json/list").then((r) => r.json()).then((l) =>
    l[0]?.webSocketDebuggerUrl
  )
    .catch(() => undefined);
}
if (!target) throw new Error("the command center's inspector did not answer");
const socket = new WebSocket(target);
await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
let nextId = 1;
const pending = new Map<number, (result: unknown) => void>();
socket.addEventListener("message", (event) => {
  const message = JSON.parse(event.data);
  if (message.id && pending.has(message.id)) pending.get(message.id)!(message.result);
});
const call = (method: string, params: Record<string, unknown> = {}) =>
  new Promise<unknown>((resolve) => {
    const messageId = nextId++;
    pending.set(messageId, resolve);
    socket.send(JSON.stringify({ id: messageId, method, params }));
  });
await call("Profiler.enable");
await call("Profiler.setSamplingInterval", { interval: 200 });
await call("Profiler.start");
const started = performance.now();
let routed = 0;
while (routed < count && performance.now() - started < 300_000) {
  await new Promise((r) => setTimeout(r, 100));
  routed = (await admin.fetchTopicOffsets(topics.target)).reduce((s, p) => s + Number(p.high), 0);
}
const seconds = (performance.now() - started) / 1000;
const { profile } = await call("Profiler.stop") as { profile: Profile };
socket.close();
child.kill("SIGTERM");
await child.status;
await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
await admin.disconnect();
await Deno.remove(routes);
const db = new cassandra.Client({
  contactPoints: (Deno.env.get("CASSANDRA_CONTACT_POINTS") ?? "127.0.0.1:9042").split(","),
  localDataCenter: Deno.env.get("CASSANDRA_LOCAL_DC") ?? "datacenter1",
});
await db.execute("DROP KEYSPACE IF EXISTS chain_profile").catch(() => {});
await db.shutdown();

// Self time per node, then per function and per package.
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const us = self.get(node.id) ?? 0;
  if (us === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const pkg = url.match(/npm\/registry\.npmjs\.org\/([^/]+)\//)?.[1] ??
    (url.includes("/src/") ? "chain" : url === "" ? `(${functionName || "native"})` : "deno/node runtime");
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const name = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1)} %`;
console.log(
  `routed ${routed} of ${count} in ${seconds.toFixed(1)} s (${
    (routed / seconds).toFixed(0)
  } msg/s while profiling)`,
);
console.log("\nself time by package:");
for (const [name, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
  console.log(`  ${pct(us).padStart(7)}  ${name}`);
}
console.log("\nself time by function (top 25):");
for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`  ${pct(us).padStart(7)}  ${name}`);
}
