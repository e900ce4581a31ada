/**
 * `deno run --allow-all scripts/bench/profile_role.ts --role command-center|service-1|service-2 [--messages N]
 * [--metadata-log on|off]`: a CPU profile of one role while it handles N envelopes preloaded onto its input
 * topic, taken through the V8 inspector and summarised as self time per package and per function
 * (cpu_profile.ts). What docs/benchmarks.md's findings rest on.
 *
 * The role runs as its own process, with the `chain` task's permissions, on topics of its own; the run removes
 * them at the end, with its keyspace, routes file and SMTP sink:
 *
 * - command-center: `initial-publisher` envelopes in its inbox, a routes file sending them to a target topic and
 *   a routes topic of its own; done when the target and dead-letter topics hold N records. `--metadata-log`
 *   (default on) is its METADATA_LOG, into a keyspace of the run's own.
 * - service-1: `initial-publisher` envelopes on its input topic; done when its output (the inbox) and its
 *   dead-letter topic hold N records.
 * - service-2: envelopes of orders as service-1 enriches and seals them (`service-1-publisher`) on its input
 *   topic, a keyspace set up as `chain init` does and an SMTP sink; done when its log (level info) has reported
 *   an outcome for N request ids, dead letters counted too.
 *
 * Profiling stops when all N are handled or after 300 s.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import type { Admin, Kafka } from "kafkajs";
import { servicesUp } from "../../support/local_services.ts";
import { chainPermissions, roleEnv, topicEnv } from "../../support/role_process.ts";
import { createTopics, serviceEnv, testCassandra, testKafka, uniqueName } from "../../support/services.ts";
import { startSmtpSink } from "../../support/smtp_sink.ts";
import { deleteTopics, topicCount } from "../../support/topic_reader.ts";
import { encodeEnvelope, sealEnvelope } from "../../src/envelope/envelope.ts";
import { parseKey } from "../../src/envelope/aes_gcm.ts";
import {
  enrichOrder,
  GENERATED_SKUS,
  generateOrder,
  type Order,
  validateOrder,
} from "../../src/order/order.ts";
import { seededRandom } from "../../src/order/seeded_random.ts";
import { ensureSchema } from "../../src/cassandra/schema.ts";
import { CassandraInventory, INITIAL_STOCK } from "../../src/cassandra/inventory.ts";
import { service1WorkerName } from "../../src/roles/service_1.ts";
import { inspectorSession, printSelfTime, type Profile } from "./cpu_profile.ts";
import { writeRoutesFile } from "./routes_file.ts";

const profiledRoles = ["command-center", "service-1", "service-2"] as const;
type ProfiledRole = typeof profiledRoles[number];

/** How long profiling may last before it stops with what was handled so far. */
const profileLimitMs = 300_000;

/** What a role's set-up gets. */
interface RunContext {
  kafka: Kafka;
  admin: Admin;
  /** The run's topic names: `<id>-cc` (the inbox), `<id>-s1`, … (support's topicEnv). */
  topics: ReturnType<typeof topicEnv>;
  /** The run's keyspace, for the roles that use Cassandra. */
  keyspace: string;
  count: number;
  /** ENCRYPTION_KEY (base64) and the key it imports to, which sealed the preloaded envelopes. */
  key: { text: string; crypto: CryptoKey };
  metadataLog: string;
  /** Registers a clean-up; they run in reverse order when the run ends, however it ends. */
  defer(cleanup: () => Promise<unknown>): void;
}

/** A role ready to start: its variables (besides the service addresses and the group) and how far it has got. */
interface RoleRun {
  env: Record<string, string>;
  /** How many of the preloaded envelopes the role has handled so far. */
  handled(): Promise<number>;
  /** Takes each line of the role's stderr. */
  onLine?(line: string): void;
}

/** Creates `names` (3 partitions each), deleted when the run ends. */
async function ownTopics(context: RunContext, names: string[]): Promise<void> {
  context.defer(() => deleteTopics(context.admin, names));
  await createTopics(context.kafka, names, 3);
}

/** Drops the run's keyspace when the run ends (the command center's metadata log and service-2 fill it). */
function dropKeyspaceAtEnd(context: RunContext): void {
  context.defer(async () => {
    const db = testCassandra();
    try {
      await db.execute(`DROP KEYSPACE IF EXISTS ${context.keyspace}`);
    } finally {
      await db.shutdown();
    }
  });
}

/** The run's keyspace with chain's tables and the generated skus' stock, as `chain init` leaves it. */
async function ownKeyspace(context: RunContext): Promise<void> {
  dropKeyspaceAtEnd(context);
  const db = testCassandra();
  try {
    await ensureSchema(db, context.keyspace, { strategy: "SimpleStrategy", replicationFactor: 1 });
    const stock = Object.fromEntries(GENERATED_SKUS.map((sku) => [sku, INITIAL_STOCK]));
    await new CassandraInventory(db, context.keyspace).seedMissing(stock);
  } finally {
    await db.shutdown();
  }
}

/** Records on `topics` now. */
async function recordsOn(admin: Admin, topics: string[]): Promise<number> {
  const counts = await Promise.all(topics.map((topic) => topicCount(admin, topic)));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Appends `count` envelopes to `topic`, each of a generated valid order (a fixed seed) passed through `payload`
 * (none by default), sealed under `key` as `workerName` with a new request_id.
 */
async function preload(
  kafka: Kafka,
  topic: string,
  count: number,
  key: CryptoKey,
  workerName: string,
  payload: (order: Order) => unknown = (order) => order,
): Promise<void> {
  const random = seededRandom(1);
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < count; i += 2000) {
      const messages = [];
      for (let j = i; j < Math.min(count, i + 2000); j++) {
        const requestId = crypto.randomUUID();
        const order = payload(generateOrder(random, { invalidAmount: false, index: j }));
        messages.push({
          key: requestId,
          value: Buffer.from(encodeEnvelope(await sealEnvelope(key, requestId, workerName, order))),
        });
      }
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Each role's set-up: its topics and input, what else it needs, and what counts as handled. */
const setUp: Record<ProfiledRole, (context: RunContext) => Promise<RoleRun>> = {
  "command-center": async (context) => {
    const { INBOX_TOPIC, COMMAND_CENTER_DLQ_TOPIC, SERVICE_1_TOPIC: target, ROUTES_TOPIC } = context.topics;
    // Its own routes topic: the shared chain-routes may hold other routes for initial-publisher (live routes
    // seed only workers the topic has never seen), and the router would forward there.
    await ownTopics(context, [INBOX_TOPIC, target, COMMAND_CENTER_DLQ_TOPIC]);
    context.defer(() => deleteTopics(context.admin, [ROUTES_TOPIC]));
    dropKeyspaceAtEnd(context);
    await preload(context.kafka, INBOX_TOPIC, context.count, context.key.crypto, "initial-publisher");
    const routes = await writeRoutesFile({ "initial-publisher": { targetTopic: target, routeId: "p" } });
    context.defer(() => Deno.remove(routes));
    return {
      env: {
        INBOX_TOPIC,
        COMMAND_CENTER_DLQ_TOPIC,
        ROUTES_FILE: routes,
        ROUTES_TOPIC,
        CASSANDRA_KEYSPACE: context.keyspace,
        METADATA_LOG: context.metadataLog,
        LOG_LEVEL: "warn",
      },
      handled: () => recordsOn(context.admin, [target, COMMAND_CENTER_DLQ_TOPIC]),
    };
  },
  "service-1": async (context) => {
    const { SERVICE_1_TOPIC, INBOX_TOPIC, SERVICE_1_DLQ_TOPIC } = context.topics;
    await ownTopics(context, [SERVICE_1_TOPIC, INBOX_TOPIC, SERVICE_1_DLQ_TOPIC]);
    await preload(context.kafka, SERVICE_1_TOPIC, context.count, context.key.crypto, "initial-publisher");
    return {
      env: {
        SERVICE_1_TOPIC,
        INBOX_TOPIC,
        SERVICE_1_DLQ_TOPIC,
        ENCRYPTION_KEY: context.key.text,
        LOG_LEVEL: "warn",
      },
      handled: () => recordsOn(context.admin, [INBOX_TOPIC, SERVICE_1_DLQ_TOPIC]),
    };
  },
  "service-2": async (context) => {
    const { SERVICE_2_TOPIC, SERVICE_2_DLQ_TOPIC } = context.topics;
    await ownTopics(context, [SERVICE_2_TOPIC, SERVICE_2_DLQ_TOPIC]);
    await ownKeyspace(context);
    const smtp = await startSmtpSink();
    context.defer(() => smtp.close());
    // What service-1 sends on: the order enriched as valid, sealed as service-1-publisher.
    const validatedAt = new Date();
    await preload(
      context.kafka,
      SERVICE_2_TOPIC,
      context.count,
      context.key.crypto,
      service1WorkerName,
      (order) => enrichOrder(order, validateOrder(order), "service-1", validatedAt),
    );
    // One per request id: a redelivery (after a rebalance) logs its outcome again.
    const outcomes = new Set<string>();
    return {
      env: {
        SERVICE_2_TOPIC,
        SERVICE_2_DLQ_TOPIC,
        ENCRYPTION_KEY: context.key.text,
        SMTP_URL: smtp.url,
        CASSANDRA_KEYSPACE: context.keyspace,
        LOG_LEVEL: "info",
      },
      onLine(line) {
        if (!line.includes(`"outcome":`)) return;
        try {
          const requestId = JSON.parse(line).request_id;
          if (typeof requestId === "string") outcomes.add(requestId);
        } catch {
          // Not one of service-2's JSON log lines.
        }
      },
      handled: async () => outcomes.size + await recordsOn(context.admin, [SERVICE_2_DLQ_TOPIC]),
    };
  },
};

/** A loopback `host:port` nothing listens on now, for the role's inspector. */
function freeAddress(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return `127.0.0.1:${port}`;
}

/** The role as a process with its inspector at `inspector`, each stderr line given to `onLine` (last 20 kept). */
function startRole(
  role: ProfiledRole,
  inspector: string,
  env: Record<string, string>,
  onLine = (_: string) => {},
) {
  const root = new URL("../../", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", `--inspect=${inspector}`, ...chainPermissions(), `${root}main.ts`, "--role", role],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const tail: string[] = [];
  const pump = (async () => {
    let rest = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        onLine(line);
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    }
  })();
  let exitCode: number | undefined;
  child.status.then((status) => exitCode = status.code);
  return {
    /** Throws, with the last lines it wrote, if the role has exited. */
    checkRunning(): void {
      if (exitCode !== undefined) {
        throw new Error(`${role} exited with code ${exitCode}; its last stderr lines:\n${tail.join("\n")}`);
      }
    },
    async stop(): Promise<void> {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
      await pump;
    },
  };
}

/** Profiles the role the command line `args` name and prints the summary. */
export async function profileRole(args: string[]): Promise<void> {
  const { values: flags } = parseArgs({
    args,
    options: {
      role: { type: "string" },
      messages: { type: "string", default: "100000" },
      "metadata-log": { type: "string", default: "on" },
    },
  });
  const role = flags.role as ProfiledRole;
  if (!profiledRoles.includes(role)) {
    throw new Error(`--role must be one of ${profiledRoles.join(", ")}, got ${flags.role ?? "none"}`);
  }
  const count = Number(flags.messages);
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new Error(`--messages must be a positive integer, got "${flags.messages}"`);
  }
  if (!["on", "off"].includes(flags["metadata-log"])) {
    throw new Error(`--metadata-log must be on or off, got "${flags["metadata-log"]}"`);
  }

  for (const line of await servicesUp()) console.error(line);
  const id = uniqueName("profile");
  const kafka = testKafka("chain-profile");
  const admin = kafka.admin();
  await admin.connect();
  const keyText = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  const cleanups: (() => Promise<unknown>)[] = [];
  let handled = 0;
  let seconds = NaN;
  let profile: Profile;
  try {
    const run = await setUp[role]({
      kafka,
      admin,
      topics: topicEnv(id),
      keyspace: id.replaceAll("-", "_"),
      count,
      key: { text: keyText, crypto: await parseKey(keyText) },
      metadataLog: flags["metadata-log"],
      defer: (cleanup) => cleanups.push(cleanup),
    });
    const inspector = freeAddress();
    const env = roleEnv({ ...serviceEnv(), KAFKA_GROUP_ID: id, ...run.env });
    const child = startRole(role, inspector, env, run.onLine);
    cleanups.push(() => child.stop());
    const session = await inspectorSession(inspector).catch((error) => {
      child.checkRunning();
      throw error;
    });
    try {
      await session.call("Profiler.enable");
      await session.call("Profiler.setSamplingInterval", { interval: 200 });
      await session.call("Profiler.start");
      const started = performance.now();
      while (handled < count && performance.now() - started < profileLimitMs) {
        await new Promise((r) => setTimeout(r, 100));
        child.checkRunning();
        handled = await run.handled();
      }
      seconds = (performance.now() - started) / 1000;
      profile = (await session.call("Profiler.stop") as { profile: Profile }).profile;
    } finally {
      session.close();
    }
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error) => console.error(`clean-up failed: ${error?.message ?? error}`));
    }
    await admin.disconnect();
  }

  console.log(
    `${role} handled ${handled} of ${count} in ${seconds.toFixed(1)} s (${
      (handled / seconds).toFixed(0)
    } msg/s while profiling)`,
  );
  printSelfTime(profile);
  if (handled < count) {
    console.error(`${role} handled only ${handled} of ${count} in ${profileLimitMs / 1000} s`);
    Deno.exitCode = 1;
  }
}

if (import.meta.main) await profileRole(Deno.args);
