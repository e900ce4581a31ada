/**
 * `deno task start [--orders N] [--invalid-share S]`: runs the whole chain on this machine.
 *
 * Brings the local Kafka and Cassandra up when none is configured, creates topics and schema, makes the live
 * routes its routes file's (`chain routes apply --prune`: a routes topic left by another run with other routes
 * would send the orders elsewhere), starts the command center, service-1 and service-2 as separate processes (with an SMTP sink on loopback for service-2's
 * mail), publishes a batch of orders, waits until each is fulfilled or rejected, prints one request's trace and
 * ends with `published=N fulfilled=F rejected=R dead_lettered=D lost=L`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import type { Kafka } from "kafkajs";
import { deadLetterSettings } from "../src/app/roles.ts";
import { SettingReader } from "../src/app/setting_reader.ts";
import { servicesUp } from "../support/local_services.ts";
import { roleEnv, RoleProcess } from "../support/role_process.ts";
import { serviceEnv, testCassandra, testKafka } from "../support/services.ts";
import { startSmtpSink } from "../support/smtp_sink.ts";
import { readTopicToEnd } from "../support/topic_reader.ts";

/** What `deno task start` was asked to do. */
interface StartOptions {
  orders: number;
  invalidShare: number;
  timeoutMs: number;
}

function parseStartArgs(args: string[]): StartOptions {
  const { values } = parseArgs({
    args,
    options: {
      orders: { type: "string", default: "100" },
      "invalid-share": { type: "string", default: "0.1" },
      "timeout-s": { type: "string", default: "180" },
    },
  });
  const orders = Number(values.orders);
  const invalidShare = Number(values["invalid-share"]);
  if (!Number.isInteger(orders) || orders < 1) {
    throw new RangeError(`--orders must be a positive integer, got ${values.orders}`);
  }
  if (!(invalidShare >= 0 && invalidShare <= 1)) throw new RangeError(`--invalid-share must be 0..1`);
  return { orders, invalidShare, timeoutMs: Number(values["timeout-s"]) * 1000 };
}

/** Runs the chain once with the command line `args`; resolves with the exit code (0 when nothing was lost). */
export async function start(args: string[]): Promise<number> {
  const { orders, invalidShare, timeoutMs } = parseStartArgs(args);
  const env = Deno.env.toObject();
  // Keyspace and dead-letter topics as the roles read them (the settings table's defaults).
  const settings = new SettingReader({}, env);
  const keyspace = settings.text("keyspace")!;
  const dlqTopics = deadLetterSettings.map((name) => settings.topic(name));

  for (const line of await servicesUp()) console.log(line);

  const smtp = await startSmtpSink();
  const key = env.ENCRYPTION_KEY ??
    Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  if (!env.ENCRYPTION_KEY) {
    console.log("start: ENCRYPTION_KEY is not set; using a new random key for this run");
  }
  const base = { ...env, ...serviceEnv(), ENCRYPTION_KEY: undefined };
  const withKey = { ...base, ENCRYPTION_KEY: key, SMTP_URL: smtp.url };

  const roles: RoleProcess[] = [];
  const run = (name: string, roleArgs: string[], vars: Record<string, string | undefined>) => {
    const p = new RoleProcess(name, roleArgs, roleEnv(vars));
    roles.push(p);
    return p;
  };

  let exitCode = 1;
  const db = testCassandra();
  try {
    const init = run("init", ["init"], base);
    if ((await init.finished()).code !== 0) throw new Error(`chain init failed:\n${init.tail()}`);
    console.log(init.stdout.join("\n"));
    await applyRoutesFile(run, base, settings);

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
    const deadLettered = await countDeadLettered(testKafka("chain-start"), dlqTopics, new Set(published));

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
  return exitCode;
}

/**
 * Makes the live routes the routes file's with `chain routes apply --prune`, so the demo routes to its own topics
 * whatever another run left on the routes topic; when it changed something, says so in one warning naming the
 * workers, with the changes it published.
 */
async function applyRoutesFile(
  run: (name: string, args: string[], vars: Record<string, string | undefined>) => RoleProcess,
  env: Record<string, string | undefined>,
  settings: SettingReader,
): Promise<void> {
  const actor = `${env.CHAIN_ACTOR || env.USER || "unknown"} (deno task start)`;
  const apply = run("routes apply", ["routes", "apply", "--prune", "--actor", actor], env);
  if ((await apply.finished()).code !== 0) throw new Error(`chain routes apply failed:\n${apply.tail()}`);
  // One line per change: `<kind> <worker>: …`; "nothing to apply: …" when the routes were the file's already.
  const changes = apply.stdout.filter((line) => /^\S+ +[^\s:]+: /.test(line));
  if (changes.length === 0) return;
  const workers = changes.map((line) => line.split(/ +/)[1].slice(0, -1));
  console.log(
    `start: warning: the live routes in ${settings.text("routesTopic")} differed from the routes file ` +
      `${settings.text("routes") ?? "routes.json"} for ${workers.join(", ")}; ` +
      `applied the file (chain routes apply --prune) so the orders go to this chain's topics:\n` +
      changes.map((line) => `  ${line}`).join("\n"),
  );
}

/** How many of this run's request_ids sit in a dead-letter topic (read up to each topic's current end). */
async function countDeadLettered(kafka: Kafka, dlqTopics: string[], ids: Set<string>): Promise<number> {
  const found = new Set<string>();
  for (const topic of dlqTopics) {
    for (const record of await readTopicToEnd(kafka, topic)) if (ids.has(record.key)) found.add(record.key);
  }
  return found.size;
}

if (import.meta.main) Deno.exit(await start(Deno.args));
