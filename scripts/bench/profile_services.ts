/**
 * `deno run --allow-all scripts/bench/profile_services.ts [--rate 50] [--seconds 30] [--idle-seconds 0]
 * [--profiler PATH] [--event cpu|wall] [--out DIR]`: where the local Kafka and Cassandra spend their time while
 * the whole chain carries a steady rate. It starts the bench's chain (its own topics, keyspace and SMTP sink),
 * warms it up, then, while a publisher sends `--rate` orders/s, measures `--seconds` of:
 *
 * - CPU seconds (user and system) and context switches of every process, and per order;
 * - the same per thread pool of Kafka and Cassandra (from /proc/PID/task), busiest first;
 * - with `--profiler` (async-profiler's `libasyncProfiler.so`, from Maven Central's
 *   `tools.profiler:async-profiler` jar), a profile of each JVM loaded through `jcmd JVMTI.agent_load`, in
 *   `cpu` (kernel frames included) or `wall` mode, written as collapsed stacks and a flame graph into `--out`.
 *
 * With `--idle-seconds N` it first measures the chain standing N seconds with no traffic.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { servicesUp } from "../../support/local_services.ts";
import { testCassandra } from "../../support/services.ts";
import { closeBenchContext, note, openBenchContext, sleep } from "./bench_context.ts";
import { ChainSession } from "./chain_session.ts";
import { benchMode } from "./mode.ts";
import { cpuSeconds } from "./process_stats.ts";
import { runStep, warmUpPlan } from "./rate_step.ts";
import { poolUse, threadSamples } from "./thread_cpu.ts";
import { formatTallyTable, perOrder, publisherTally, type RequestTally } from "./request_tally.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    rate: { type: "string", default: "50" },
    seconds: { type: "string", default: "30" },
    "idle-seconds": { type: "string", default: "0" },
    profiler: { type: "string" },
    event: { type: "string", default: "cpu" },
    out: { type: "string", default: "/tmp/chain-profile" },
    pools: { type: "string", default: "12" },
    env: { type: "string", multiple: true, default: [] },
    "durable-writes": { type: "string", default: "true" },
  },
});
const rate = Number(flags.rate);
const seconds = Number(flags.seconds);
const idleSeconds = Number(flags["idle-seconds"]);

function switches(pid: number): number {
  let total = 0;
  for (const t of threadSamples(pid).values()) total += t.voluntarySwitches + t.involuntarySwitches;
  return total;
}

function processFigures(pids: Record<string, number>) {
  return Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, { cpu: cpuSeconds(pid), switches: switches(pid) }]),
  );
}

function printProcesses(
  title: string,
  before: ReturnType<typeof processFigures>,
  after: ReturnType<typeof processFigures>,
  wallSeconds: number,
  orders: number,
) {
  console.log(`\n${title} (${wallSeconds.toFixed(1)} s${orders > 0 ? `, ${orders} orders` : ""})`);
  console.log("process          % of a core   switches/s" + (orders > 0 ? "   CPU µs/order" : ""));
  let all = 0;
  for (const name of Object.keys(after)) {
    const cpu = after[name].cpu - before[name].cpu;
    all += cpu;
    const sw = (after[name].switches - before[name].switches) / wallSeconds;
    console.log(
      `${name.padEnd(16)} ${(100 * cpu / wallSeconds).toFixed(1).padStart(11)} ${
        sw.toFixed(0).padStart(12)
      }` +
        (orders > 0 ? ` ${(1e6 * cpu / orders).toFixed(0).padStart(14)}` : ""),
    );
  }
  console.log(
    `${"all".padEnd(16)} ${(100 * all / wallSeconds).toFixed(1).padStart(11)}${" ".repeat(13)}` +
      (orders > 0 ? ` ${(1e6 * all / orders).toFixed(0).padStart(14)}` : ""),
  );
}

async function jcmd(pid: number, command: string): Promise<string> {
  const out = await new Deno.Command("jcmd", {
    args: [String(pid), "JVMTI.agent_load", flags.profiler!, `"${command}"`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim() + new TextDecoder().decode(out.stderr).trim();
}

for (const line of await servicesUp()) note(line);
const context = await openBenchContext(benchMode(true));
for (const pair of flags.env!) {
  const at = pair.indexOf("=");
  (context.baseEnv as Record<string, string>)[pair.slice(0, at)] = pair.slice(at + 1);
}
if (flags["durable-writes"] === "false") {
  // The run's keyspace made before the roles make it: every table without the commit log.
  const db = testCassandra();
  await db.execute(
    `CREATE KEYSPACE ${context.keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1} AND durable_writes = false`,
  );
  await db.shutdown();
}
const session = await ChainSession.open(context, "profile");
try {
  await runStep(session, warmUpPlan);
  const pids = session.pids();
  const jvms = { kafka: pids.kafka, cassandra: pids.cassandra };
  if (idleSeconds > 0) {
    await sleep(5000);
    const before = processFigures(pids);
    const t0 = performance.now();
    await sleep(idleSeconds * 1000);
    printProcesses("idle", before, processFigures(pids), (performance.now() - t0) / 1000, 0);
  }
  const count = Math.round(rate * (seconds + 15));
  const publisher = session.startPublisher(rate, count, 7);
  await sleep(8000);
  const before = processFigures(pids);
  const threadsBefore = Object.fromEntries(Object.entries(jvms).map(([n, pid]) => [n, threadSamples(pid)]));
  const completedBefore = session.completions.size;
  const tallyBefore = await session.requestTallies();
  await Deno.mkdir(flags.out!, { recursive: true });
  if (flags.profiler) {
    for (const [name, pid] of Object.entries(jvms)) {
      note(`${name}: ${await jcmd(pid, `start,event=${flags.event},interval=1ms,threads`)}`);
    }
  }
  const t0 = performance.now();
  await sleep(seconds * 1000);
  session.poll();
  const wall = (performance.now() - t0) / 1000;
  const after = processFigures(pids);
  const tallyAfter = await session.requestTallies();
  const threadsAfter = Object.fromEntries(Object.entries(jvms).map(([n, pid]) => [n, threadSamples(pid)]));
  if (flags.profiler) {
    for (const [name, pid] of Object.entries(jvms)) {
      const base = `${flags.out}/${name}-${flags.event}`;
      note(`${name}: ${await jcmd(pid, `stop,file=${base}.collapsed,collapsed`)}`);
      note(`${name}: ${await jcmd(pid, `stop,file=${base}.html`)}`);
    }
  }
  const orders = session.completions.size - completedBefore;
  printProcesses(`at ${rate} orders/s`, before, after, wall, orders);
  for (const name of Object.keys(jvms)) {
    console.log(`\n${name}: thread pools by CPU (% of a core; switches per second)`);
    console.log("pool                          threads   user%    sys%   vol sw/s  invol sw/s");
    for (const p of poolUse(threadsBefore[name], threadsAfter[name]).slice(0, Number(flags.pools))) {
      console.log(
        `${p.pool.padEnd(30)} ${String(p.threads).padStart(6)} ${
          (100 * p.userSeconds / wall).toFixed(1).padStart(7)
        } ${(100 * p.systemSeconds / wall).toFixed(1).padStart(7)} ${
          (p.voluntarySwitches / wall).toFixed(0).padStart(10)
        } ${(p.involuntarySwitches / wall).toFixed(0).padStart(11)}`,
      );
    }
  }
  await publisher.stop("SIGTERM");
  for (const role of session.roles) {
    if (session.exitedRoles().includes(role.name)) console.log(`\n${role.name} exited:\n${role.tail(20)}`);
  }
  // The publisher's counts cover its whole run: per order of what it published.
  const published = publisher.stdout.length;
  const perProcess: Record<string, RequestTally> = {
    publisher: perOrder({}, publisherTally(publisher.stderr), published),
  };
  const all: RequestTally = { ...perProcess.publisher };
  for (const name of Object.keys(tallyAfter)) {
    perProcess[name] = perOrder(tallyBefore[name], tallyAfter[name], orders);
    for (const [k, n] of Object.entries(perProcess[name])) all[k] = (all[k] ?? 0) + n;
  }
  perProcess.all = all;
  console.log(`\nrequests and rows per order, per process (${rate} orders/s)`);
  console.log(formatTallyTable(perProcess));
} finally {
  await session.close();
  await closeBenchContext(context);
}
