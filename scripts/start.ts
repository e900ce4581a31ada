/**
 * `deno task start [--orders N] [--invalid-share S]`: runs the whole chain on this machine.
 *
 * Brings the local Kafka and Cassandra up when none is configured, creates topics and schema, starts the
 * command center, service-1 and service-2 as separate processes (with an SMTP sink on loopback for service-2's
 * mail), publishes a batch of orders, waits until each is fulfilled or rejected, prints one request's trace and
 * ends with `published=N fulfilled=F rejected=R dead_lettered=D lost=L`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import { Kafka, logLevel } from "kafkajs";
import cassandra from "cassandra-driver";
import { servicesUp } from "../support/local_services.ts";
import { roleEnv, RoleProcess } from "../support/role_process.ts";
import { startSmtpSink } from "../support/smtp_sink.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    orders: { type: "string", default: "100" },
    "invalid-share": { type: "string", default: "0.1" },
    "timeout-s": { type: "string", default: "180" },
  },
});
const orders = Number(values.orders);
const invalidShare = Number(values["invalid-share"]);
const timeoutMs = Number(values["timeout-s"]) * 1000;
if (!Number.isInteger(orders) || orders < 1) {
  throw new RangeError(`--orders must be a positive integer, got ${values.orders}`);
}
if (!(invalidShare >= 0 && invalidShare <= 1)) throw new RangeError(`--invalid-share must be 0..1`);

const env = Deno.env.toObject();
const brokers = env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const contactPoints = env.CASSANDRA_CONTACT_POINTS ?? "127.0.0.1:9042";
const keyspace = env.CASSANDRA_KEYSPACE ?? "chain";
const topicOf = (name: string, fallback: string) => env[name] ?? fallback;
const dlqTopics = [
  topicOf("COMMAND_CENTER_DLQ_TOPIC", "command-center-dlq"),
  topicOf("SERVICE_1_DLQ_TOPIC", "service-1-dlq"),
  topicOf("SERVICE_2_DLQ_TOPIC", "service-2-dlq"),
];

for (const line of await servicesUp()) console.log(line);

const smtp = await startSmtpSink();
const key = env.ENCRYPTION_KEY ?? Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
if (!env.ENCRYPTION_KEY) console.log("start: ENCRYPTION_KEY is not set; using a new random key for this run");
const base = {
  ...env,
  KAFKA_BROKERS: brokers,
  CASSANDRA_CONTACT_POINTS: contactPoints,
  ENCRYPTION_KEY: undefined,
};
const withKey = { ...base, ENCRYPTION_KEY: key, SMTP_URL: smtp.url };

const roles: RoleProcess[] = [];
const run = (name: string, args: string[], vars: Record<string, string | undefined>) => {
  const p = new RoleProcess(name, args, roleEnv(vars));
  roles.push(p);
  return p;
};

let exitCode = 1;
const db = new cassandra.Client({
  contactPoints: contactPoints.split(","),
  localDataCenter: env.CASSANDRA_LOCAL_DC ?? "datacenter1",
});
try {
  const init = run("init", ["init"], base);
  if ((await init.finished()).code !== 0) throw new Error(`chain init failed:\n${init.tail()}`);
  console.log(init.stdout.join("\n"));

  const commandCenter = run("command-center", ["--role", "command-center"], base);
  run("service-1", ["--role", "service-1"], withKey);
  run("service-2", ["--role", "service-2"], withKey);
  await commandCenter.waitForStderr(/command center routing/, 1, 60_000);
  console.log("start: command-center, service-1 and service-2 are running");

  const publisher = run("publisher", [
    "--role",
    "publisher",
    "--count",
    String(orders),
    "--invalid-share",
    String(invalidShare),
  ], withKey);
  if ((await publisher.finished()).code !== 0) throw new Error(`publisher failed:\n${publisher.tail()}`);
  const published = publisher.stdout.filter((l) => l.trim() !== "");
  console.log(`start: published ${published.length} orders; waiting for service-2`);

  await db.connect();
  const select = `SELECT status FROM ${keyspace}.orders WHERE request_id = ?`;
  const statuses = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  while (statuses.size < published.length && Date.now() < deadline) {
    for (const id of published) {
      if (statuses.has(id)) continue;
      const row = (await db.execute(select, [id], { prepare: true })).first();
      if (row) statuses.set(id, String(row.get("status")));
    }
    if (statuses.size < published.length) await new Promise((r) => setTimeout(r, 500));
  }
  const fulfilled = [...statuses.values()].filter((s) => s === "fulfilled").length;
  const rejected = [...statuses.values()].filter((s) => s === "rejected").length;
  const deadLettered = await countDeadLettered(new Set(published));

  const traced = published.find((id) => statuses.get(id) === "fulfilled") ?? published[0];
  const trace = run("trace", ["trace", traced], base);
  await trace.finished();
  console.log(`\ntrace of ${traced}:\n${trace.stdout.join("\n")}\n`);
  console.log(`start: ${smtp.messages().length} confirmation emails reached the SMTP sink`);

  for (const role of roles) await role.stop("SIGTERM");
  const lost = published.length - fulfilled - rejected;
  console.log(
    `published=${published.length} fulfilled=${fulfilled} rejected=${rejected} dead_lettered=${deadLettered} lost=${lost}`,
  );
  exitCode = lost === 0 ? 0 : 1;
} catch (error) {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await Promise.all(roles.map((r) => r.stop("SIGTERM")));
  await smtp.close();
  await db.shutdown();
}
Deno.exit(exitCode);

/** How many of this run's request_ids sit in a dead-letter topic (read up to each topic's current end). */
async function countDeadLettered(ids: Set<string>): Promise<number> {
  const kafka = new Kafka({ clientId: "chain-start", brokers: brokers.split(","), logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const found = new Set<string>();
  try {
    for (const topic of dlqTopics) {
      const ends = await admin.fetchTopicOffsets(topic).catch(() => []);
      const remaining = new Map(
        ends.filter((e) => e.high !== e.low).map((e) => [e.partition, BigInt(e.high)]),
      );
      if (remaining.size === 0) continue;
      const consumer = kafka.consumer({ groupId: `chain-start-${crypto.randomUUID()}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve) => {
        consumer.run({
          eachMessage: ({ partition, message }) => {
            const key = message.key?.toString() ?? "";
            if (ids.has(key)) found.add(key);
            if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n)) remaining.delete(partition);
            if (remaining.size === 0) resolve();
            return Promise.resolve();
          },
        });
      });
      await consumer.disconnect();
    }
  } finally {
    await admin.disconnect();
  }
  return found.size;
}
