/**
 * The local Apache Kafka (KRaft, one node) and Apache Cassandra that development and tests run against.
 *
 * Both come from Maven Central as jars (resolved by `services/<name>/pom.xml` into Maven's cache) and run on
 * the machine's Java 17. Data, logs and pid files live in `.local/services/` (git-ignored). When
 * `KAFKA_BROKERS` or `CASSANDRA_CONTACT_POINTS` is set, that service is not started: the given one is used.
 *
 * @module
 */
import { Kafka, logLevel } from "kafkajs";
import { routeWarnings } from "./services.ts";
import cassandra from "cassandra-driver";

const root = new URL("../", import.meta.url).pathname;
/** The one folder that holds everything the local services write. */
export const stateDir = `${root}.local/services`;

/** How one local service is found, started and checked. */
export interface ServiceSpec {
  /** Also its folder in {@link stateDir} and its pid file's name. */
  readonly name: string;
  /** The folder of services/ with its pom.xml, when not `name` (the secured nodes reuse the open ones' jars). */
  readonly pom?: "kafka" | "cassandra";
  /** The environment variable that, when set, points at an existing service instead. */
  readonly externalVar: string;
  readonly defaultAddress: string;
  readonly readyTimeoutMs: number;
  /**
   * Linux timer slack of the JVM's threads, in nanoseconds (inherited from the shell that starts it); the
   * kernel's default (50 µs) when absent. See {@link CASSANDRA_TIMER_SLACK_NS}.
   */
  readonly timerSlackNs?: number;
  prepare(dir: string, classpath: string): Promise<void>;
  javaArgs(dir: string, classpath: string): string[];
  /** Resolves when the service answers a real client call; rejects with the client's error otherwise. */
  probe(address: string): Promise<string>;
}

/** What `status` reports for one service. */
export interface ServiceStatus {
  readonly name: string;
  readonly address: string;
  readonly managed: boolean;
  readonly pid?: number;
  readonly answering: boolean;
  readonly detail: string;
}

/** The open Kafka node. */
export const kafka: ServiceSpec = {
  name: "kafka",
  externalVar: "KAFKA_BROKERS",
  defaultAddress: "127.0.0.1:9092",
  readyTimeoutMs: 120_000,
  async prepare(dir, classpath) {
    const template = await Deno.readTextFile(`${root}services/kafka/server.properties`);
    await Deno.mkdir(`${dir}/data`, { recursive: true });
    await Deno.writeTextFile(`${dir}/server.properties`, template.replaceAll("{{LOG_DIRS}}", `${dir}/data`));
    if (await exists(`${dir}/data/meta.properties`)) return;
    // KRaft storage is formatted once, with a cluster id of its own.
    const java = ["-Xmx256m", "-cp", classpath, ...log4jArgs(`${dir}/format.log`), "kafka.tools.StorageTool"];
    const clusterId = (await run("java", [...java, "random-uuid"])).trim().split("\n").at(-1)!;
    await run("java", [...java, "format", "-t", clusterId, "-c", `${dir}/server.properties`]);
  },
  javaArgs(dir, classpath) {
    return [
      "-Xms256m",
      "-Xmx512m",
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
      "-Dchain.service=kafka",
      ...log4jArgs(`${dir}/server.log`),
      "-cp",
      classpath,
      "kafka.Kafka",
      `${dir}/server.properties`,
    ];
  },
  async probe(address) {
    routeWarnings();
    const client = new Kafka({
      clientId: "chain-services",
      brokers: address.split(","),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2000,
      retry: { retries: 0 },
    });
    const admin = client.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)`;
    } finally {
      await admin.disconnect();
    }
  },
};

/**
 * The timer slack of the local Cassandra's threads: 1 ms. Cassandra's shared worker pool (SEPWorker: the
 * `Native-Transport-Requests` and `MutationStage` threads) waits for work by spinning in `parkNanos` sleeps of
 * 10 µs to 1 ms for about 10 ms after every task, so on a small host that never idles for 10 ms each sleep is a
 * wake-up and a context switch: at 50 orders/s 23,000 switches a second and about half of Cassandra's CPU
 * (async-profiler: 51 % of its samples in `SEPWorker.doWaitSpin`). The spin is not configurable; a 1 ms slack
 * lets the kernel coalesce those wake-ups (5,800 switches a second, Cassandra's CPU per order 7.3 → 3.2 ms in
 * one sitting). It delays a spinning worker's pick-up of new work by at most that much. A production node has
 * cores to spin on and keeps the kernel's default.
 */
export const CASSANDRA_TIMER_SLACK_NS = 1_000_000;

/** The open Cassandra node. */
export const cassandraNode: ServiceSpec = {
  name: "cassandra",
  externalVar: "CASSANDRA_CONTACT_POINTS",
  defaultAddress: "127.0.0.1:9042",
  readyTimeoutMs: 180_000,
  timerSlackNs: CASSANDRA_TIMER_SLACK_NS,
  async prepare(dir) {
    const template = await Deno.readTextFile(`${root}services/cassandra/cassandra.yaml`);
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/cassandra.yaml`, template.replaceAll("{{DIR}}", dir));
  },
  javaArgs(dir, classpath) {
    return [
      `@${root}services/cassandra/jvm17.options`,
      "-Xms1g",
      "-Xmx1g",
      "-Xss512k",
      "-XX:MaxDirectMemorySize=512m",
      "-Dchain.service=cassandra",
      `-Dcassandra.config=file://${dir}/cassandra.yaml`,
      "-Dcassandra-foreground=yes",
      "-Dcassandra.skip_wait_for_gossip_to_settle=0",
      `-Dcassandra.storagedir=${dir}`,
      `-Dlogback.configurationFile=${root}services/cassandra/logback.xml`,
      `-Dchain.cassandra.log=${dir}/system.log`,
      "-cp",
      classpath,
      "org.apache.cassandra.service.CassandraDaemon",
    ];
  },
  async probe(address) {
    const client = new cassandra.Client({
      contactPoints: address.split(","),
      localDataCenter: Deno.env.get("CASSANDRA_LOCAL_DC") ?? "datacenter1",
      socketOptions: { connectTimeout: 2000 },
    });
    try {
      await client.connect();
      const result = await client.execute("SELECT release_version FROM system.local");
      return `Cassandra ${result.first()?.get("release_version")}`;
    } finally {
      await client.shutdown();
    }
  },
};

const services: readonly ServiceSpec[] = [kafka, cassandraNode];

export function log4jArgs(file: string): string[] {
  return [`-Dlog4j2.configurationFile=${root}services/kafka/log4j2.properties`, `-Dchain.kafka.log=${file}`];
}

export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

export async function run(command: string, args: string[], cwd?: string): Promise<string> {
  const output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(`${command} ${args.at(-1)} failed (exit ${output.code}):\n${text.slice(-2000)}${stderr}`);
  }
  return text;
}

/** The Java classpath of a service, resolved by Maven once per pom.xml content and cached beside the data. */
async function classpath(spec: ServiceSpec): Promise<string> {
  const pom = `${root}services/${spec.pom ?? spec.name}/pom.xml`;
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(pom));
  const hash = Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  const cached = `${stateDir}/${spec.pom ?? spec.name}-${hash}.classpath`;
  if (await exists(cached)) return (await Deno.readTextFile(cached)).trim();
  console.log(`services: resolving ${spec.pom ?? spec.name} jars with Maven (first run downloads them)`);
  await run("mvn", ["-q", "-B", "-f", pom, "dependency:build-classpath", `-Dmdep.outputFile=${cached}`]);
  return (await Deno.readTextFile(cached)).trim();
}

/** Whether process `pid` exists and has not exited (a zombie has). */
function isRunning(pid: number): boolean {
  try {
    const state = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]?.[0];
    return state !== undefined && state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    // Ours only: the command line carries the marker we started it with.
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    return cmdline.includes("-Dchain.service=");
  } catch {
    return false;
  }
}

async function readPid(spec: ServiceSpec): Promise<number | undefined> {
  try {
    const pid = Number((await Deno.readTextFile(`${stateDir}/${spec.name}.pid`)).trim());
    return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function addressOf(spec: ServiceSpec): { address: string; managed: boolean } {
  const external = Deno.env.get(spec.externalVar);
  return external ? { address: external, managed: false } : { address: spec.defaultAddress, managed: true };
}

async function answers(spec: ServiceSpec, address: string): Promise<string | undefined> {
  try {
    return await spec.probe(address);
  } catch {
    return undefined;
  }
}

/** Starts the service's JVM in a session of its own, so it outlives this process and Ctrl-C in the terminal. */
async function spawn(spec: ServiceSpec, dir: string, cp: string): Promise<number> {
  const logFile = `${dir}/stdout.log`;
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      // The slack is set on this shell and inherited by the JVM and every thread it starts.
      'if [ -n "$CHAIN_TIMER_SLACK" ]; then echo "$CHAIN_TIMER_SLACK" >/proc/self/timerslack_ns; fi; ' +
      'setsid "$@" >"$CHAIN_LOG" 2>&1 </dev/null & echo $!',
      "bash",
      "java",
      ...spec.javaArgs(dir, cp),
    ],
    env: { CHAIN_LOG: logFile, CHAIN_TIMER_SLACK: spec.timerSlackNs ? String(spec.timerSlackNs) : "" },
    stdout: "piped",
  });
  const pid = Number(new TextDecoder().decode((await child.output()).stdout).trim());
  await Deno.writeTextFile(`${stateDir}/${spec.name}.pid`, `${pid}\n`);
  return pid;
}

async function waitReady(spec: ServiceSpec, address: string, pid: number, logFile: string): Promise<string> {
  const deadline = Date.now() + spec.readyTimeoutMs;
  let missing = 0;
  while (Date.now() < deadline) {
    const answer = await answers(spec, address);
    if (answer) return answer;
    // Dead on two checks a second apart, so one unlucky read of /proc cannot stop a healthy start.
    missing = isRunning(pid) ? 0 : missing + 1;
    if (missing >= 2) throw new Error(`${spec.name} exited during start-up; read ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(
    `${spec.name} did not answer on ${address} within ${spec.readyTimeoutMs / 1000}s; read ${logFile}`,
  );
}

/** Brings one service up (idempotent); resolves with one line saying what it did. */
export async function up(spec: ServiceSpec): Promise<string> {
  const { address, managed } = addressOf(spec);
  if (!managed) {
    const answer = await answers(spec, address);
    if (!answer) throw new Error(`${spec.name}: ${spec.externalVar}=${address} does not answer`);
    return `${spec.name}: using ${address} from ${spec.externalVar} (${answer})`;
  }
  const dir = `${stateDir}/${spec.name}`;
  const running = await readPid(spec);
  const answer = await answers(spec, address);
  if (answer) {
    return running
      ? `${spec.name}: already running, pid ${running} on ${address} (${answer})`
      : `${spec.name}: something not started by chain already answers on ${address} (${answer}); using it`;
  }
  const logFile = (spec.pom ?? spec.name) === "kafka" ? `${dir}/server.log` : `${dir}/system.log`;
  if (running) {
    const ready = await waitReady(spec, address, running, logFile);
    return `${spec.name}: pid ${running} came up on ${address} (${ready})`;
  }
  const cp = await classpath(spec);
  await spec.prepare(dir, cp);
  const pid = await spawn(spec, dir, cp);
  const started = Date.now();
  const ready = await waitReady(spec, address, pid, logFile);
  return `${spec.name}: started pid ${pid} on ${address} in ${
    ((Date.now() - started) / 1000).toFixed(1)
  }s (${ready})`;
}

/** Stops one service chain started (found by its pid file). */
export async function down(spec: ServiceSpec): Promise<string> {
  const pid = await readPid(spec);
  const pidFile = `${stateDir}/${spec.name}.pid`;
  if (!pid) {
    await Deno.remove(pidFile).catch(() => {});
    return `${spec.name}: not running (nothing chain started)`;
  }
  Deno.kill(pid, "SIGTERM");
  const deadline = Date.now() + 60_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  if (isAlive(pid)) Deno.kill(pid, "SIGKILL");
  await Deno.remove(pidFile).catch(() => {});
  return `${spec.name}: stopped pid ${pid}`;
}

/** Where one service is expected and whether it answers. */
export async function status(spec: ServiceSpec): Promise<ServiceStatus> {
  const { address, managed } = addressOf(spec);
  const pid = managed ? await readPid(spec) : undefined;
  const answer = await answers(spec, address);
  return {
    name: spec.name,
    address,
    managed,
    pid,
    answering: answer !== undefined,
    detail: answer ?? "not answering",
  };
}

/** Brings both services up (or checks the external ones), in parallel; resolves with one line per service. */
export async function servicesUp(): Promise<string[]> {
  await Deno.mkdir(stateDir, { recursive: true });
  const results = await Promise.allSettled(services.map(up));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failures.length > 0) {
    throw new Error(
      failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join("\n"),
    );
  }
  return results.map((r) => (r as PromiseFulfilledResult<string>).value);
}

/** Stops the services chain started (found by their pid files), never anything else. */
export function servicesDown(): Promise<string[]> {
  return Promise.all(services.map(down));
}

/** Reports, for each service, where it is expected and whether it answers. */
export function servicesStatus(): Promise<ServiceStatus[]> {
  return Promise.all(services.map(status));
}
