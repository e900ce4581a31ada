/**
 * `deno run --allow-all scripts/bench/profile_router.ts [--messages N] [--metadata-log on|off]`: a CPU profile of
 * the command center while it routes N preloaded envelopes, taken through the V8 inspector, summarised as self
 * time per function and per package. What docs/benchmarks.md's findings rest on.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import type { Kafka } from "kafkajs";
import { servicesUp } from "../../support/local_services.ts";
import { chainPermissions, roleEnv } from "../../support/role_process.ts";
import { createTopics, serviceEnv, testCassandra, testKafka, uniqueName } from "../../support/services.ts";
import { deleteTopics } from "../../support/topic_reader.ts";
import { encodeEnvelope, sealEnvelope } from "../../src/envelope/envelope.ts";
import { parseKey } from "../../src/envelope/aes_gcm.ts";
import { generateOrder } from "../../src/order/order.ts";
import { seededRandom } from "../../src/order/seeded_random.ts";
import { writeRoutesFile } from "./routes_file.ts";

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

const inspectorAddress = "127.0.0.1:9239";
const keyspace = "chain_profile";

/** Appends `count` sealed envelopes (a fixed key and seed) to `topic`. */
async function preloadInbox(kafka: Kafka, topic: string, count: number): Promise<void> {
  const key = await parseKey(Buffer.alloc(32, 1).toString("base64"));
  const random = seededRandom(1);
  const producer = kafka.producer();
  await producer.connect();
  try {
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
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A DevTools-protocol session with the inspector at {@link inspectorAddress}. */
async function inspectorSession() {
  // The inspector's WebSocket address, from its HTTP endpoint.
  let target: string | undefined;
  for (let i = 0; i < 50 && !target; i++) {
    await new Promise((r) => setTimeout(r, 100));
    target = await fetch(`http://${inspectorAddress}/json/list`).then((r) => r.json()).then((l) =>
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
  return { call, close: () => socket.close() };
}

/** Prints self time per package (top 12) and per function (top 25) of `profile`. */
function printSelfTime(profile: Profile): void {
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
  console.log("\nself time by package:");
  for (const [name, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${pct(us).padStart(7)}  ${name}`);
  }
  console.log("\nself time by function (top 25):");
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${pct(us).padStart(7)}  ${name}`);
  }
}

/** Profiles the command center with the command line `args` and prints the summary. */
export async function profileRouter(args: string[]): Promise<void> {
  const { values: flags } = parseArgs({
    args,
    options: {
      messages: { type: "string", default: "100000" },
      "metadata-log": { type: "string", default: "on" },
    },
  });
  const count = Number(flags.messages);
  const root = new URL("../../", import.meta.url).pathname;
  const id = uniqueName("profile");
  // Its own routes topic: the shared chain-routes may hold other routes for initial-publisher (live routes
  // seed only workers the topic has never seen), and the router would forward there.
  const topics = { inbox: `${id}-inbox`, target: `${id}-s1`, dlq: `${id}-dlq`, routes: `${id}-routes` };

  for (const line of await servicesUp()) console.error(line);
  const kafka = testKafka("chain-profile");
  await createTopics(kafka, [topics.inbox, topics.target, topics.dlq], 3);
  await preloadInbox(kafka, topics.inbox, count);
  const routes = await writeRoutesFile({ "initial-publisher": { targetTopic: topics.target, routeId: "p" } });

  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--inspect=${inspectorAddress}`,
      ...chainPermissions(),
      `${root}main.ts`,
      "--role",
      "command-center",
    ],
    env: roleEnv({
      ...serviceEnv(),
      INBOX_TOPIC: topics.inbox,
      COMMAND_CENTER_DLQ_TOPIC: topics.dlq,
      ROUTES_FILE: routes,
      ROUTES_TOPIC: topics.routes,
      KAFKA_GROUP_ID: id,
      CASSANDRA_KEYSPACE: keyspace,
      METADATA_LOG: flags["metadata-log"],
      LOG_LEVEL: "warn",
    }),
    clearEnv: true,
    stdout: "null",
    stderr: "null",
  }).spawn();

  const admin = kafka.admin();
  await admin.connect();
  let routed = 0;
  let seconds = NaN;
  let profile: Profile;
  try {
    const inspector = await inspectorSession();
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: 200 });
    await inspector.call("Profiler.start");
    const started = performance.now();
    while (routed < count && performance.now() - started < 300_000) {
      await new Promise((r) => setTimeout(r, 100));
      routed = (await admin.fetchTopicOffsets(topics.target)).reduce((s, p) => s + Number(p.high), 0);
    }
    seconds = (performance.now() - started) / 1000;
    profile = (await inspector.call("Profiler.stop") as { profile: Profile }).profile;
    inspector.close();
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
    await deleteTopics(admin, Object.values(topics));
    await admin.disconnect();
    await Deno.remove(routes);
    const db = testCassandra();
    await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await db.shutdown();
  }

  console.log(
    `routed ${routed} of ${count} in ${seconds.toFixed(1)} s (${
      (routed / seconds).toFixed(0)
    } msg/s while profiling)`,
  );
  printSelfTime(profile);
}

if (import.meta.main) await profileRouter(Deno.args);
