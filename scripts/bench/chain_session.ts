/**
 * The whole chain kept running for several measured steps (the curve's rates, the capacity search's steps):
 * its own topics (LogAppendTime), routes file and SMTP sink, the command center, service-1 and service-2 as
 * separate processes, a publisher started per step, and what the bench learns while it runs: each order's
 * completion time from service-2's log, and (through a paused {@link TopicFollower}) each order's broker append
 * times on the inbox, service-1 and service-2 topics.
 *
 * @module
 */
import { roleEnv, RoleProcess, topicEnv } from "../../support/role_process.ts";
import { type SmtpSink, startSmtpSink } from "../../support/smtp_sink.ts";
import { deleteTopics } from "../../support/topic_reader.ts";
import { type BenchContext, note, sleep } from "./bench_context.ts";
import { createBenchTopics } from "./bench_topics.ts";
import { servicePids } from "./process_stats.ts";
import { writeRoutesFile } from "./routes_file.ts";
import type { AppendTimes } from "./step_figures.ts";
import { TopicFollower } from "./topic_follower.ts";
import { type RequestTally, scrapeRequestTally } from "./request_tally.ts";

const outcomeLine = /"outcome":"(fulfilled|rejected)"/;

/** A TCP port nothing listens on now (the kernel's pick), for a role's HTTP endpoint. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A running chain. Open with {@link ChainSession.open}, end with {@link ChainSession.close}. */
export class ChainSession {
  readonly id: string;
  readonly topics: ReturnType<typeof topicEnv>;
  /** command-center, service-1, service-2. */
  readonly roles: RoleProcess[];
  /** request_id → time of service-2's first "order fulfilled/rejected" line for it (ms since the epoch). */
  readonly completions = new Map<string, number>();
  /** Broker append times, filled by {@link catchUp}. */
  readonly appendTimes: Record<keyof AppendTimes, Map<string, number>> = {
    inboxFirst: new Map(),
    inboxSecond: new Map(),
    s1: new Map(),
    s2: new Map(),
  };
  readonly #context: BenchContext;
  readonly #publisherEnv: Record<string, string>;
  readonly #smtp: SmtpSink;
  readonly #routes: string;
  readonly #exited = new Set<string>();
  /** Each role's `/metrics` address. */
  readonly #metricsUrls: string[];
  #follower: TopicFollower | undefined;
  #parsed = 0;

  private constructor(
    context: BenchContext,
    id: string,
    topics: ReturnType<typeof topicEnv>,
    smtp: SmtpSink,
    routes: string,
  ) {
    this.#context = context;
    this.id = id;
    this.topics = topics;
    this.#smtp = smtp;
    this.#routes = routes;
    const env = { ...context.baseEnv, ...topics, ROUTES_FILE: routes };
    const withKey = { ...env, ENCRYPTION_KEY: context.key, SMTP_URL: smtp.url };
    // info: the publisher's last line carries its request counts (it logs nothing per order).
    this.#publisherEnv = roleEnv({ ...withKey, LOG_LEVEL: "info" });
    const ports = [freePort(), freePort(), freePort()];
    this.#metricsUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    this.roles = [
      new RoleProcess(
        "command-center",
        ["--role", "command-center"],
        roleEnv({ ...env, KAFKA_GROUP_ID: `${id}-cc`, HTTP_PORT: String(ports[0]) }),
      ),
      new RoleProcess(
        "service-1",
        ["--role", "service-1"],
        roleEnv({ ...withKey, KAFKA_GROUP_ID: `${id}-s1`, HTTP_PORT: String(ports[1]) }),
      ),
      new RoleProcess(
        "service-2",
        ["--role", "service-2"],
        roleEnv({ ...withKey, KAFKA_GROUP_ID: `${id}-s2`, LOG_LEVEL: "info", HTTP_PORT: String(ports[2]) }),
      ),
    ];
    for (const role of this.roles) role.status.then(() => this.#exited.add(role.name));
  }

  /** Creates the topics, starts the roles and the topic follower, and gives the consumers time to join. */
  static async open(context: BenchContext, label: string): Promise<ChainSession> {
    const id = `${context.runId}-${label}`;
    const topics = topicEnv(id);
    // The routes topic (one partition, compacted) is left to the command center and init to create.
    const { ROUTES_TOPIC: _routes, ...dataTopics } = topics;
    await createBenchTopics(context.kafka, context.admin, Object.values(dataTopics));
    const routes = await writeRoutesFile({
      "initial-publisher": { targetTopic: topics.SERVICE_1_TOPIC, routeId: "r1" },
      "service-1-publisher": { targetTopic: topics.SERVICE_2_TOPIC, routeId: "r2" },
    });
    const smtp = await startSmtpSink();
    const session = new ChainSession(context, id, topics, smtp, routes);
    const { inboxFirst, inboxSecond, s1, s2 } = session.appendTimes;
    const decoder = new TextDecoder();
    try {
      session.#follower = await TopicFollower.start(
        context.kafka,
        context.admin,
        `${id}-follower`,
        [topics.INBOX_TOPIC, topics.SERVICE_1_TOPIC, topics.SERVICE_2_TOPIC],
        (topic, key, timestamp, value) => {
          let into;
          if (topic === topics.SERVICE_1_TOPIC) into = s1;
          else if (topic === topics.SERVICE_2_TOPIC) into = s2;
          else {
            let worker = "";
            try {
              worker = value ? JSON.parse(decoder.decode(value)).worker_name : "";
            } catch {
              // Not an envelope: not one of the bench's orders.
            }
            into = worker === "initial-publisher" ? inboxFirst : inboxSecond;
          }
          if (!into.has(key)) into.set(key, timestamp);
        },
      );
    } catch (error) {
      await session.close();
      throw error;
    }
    // Let the consumers join their groups before any clock starts.
    await sleep(8000);
    return session;
  }

  /** The pids of the roles, and of the local Kafka and Cassandra when chain started them. */
  pids(): Record<string, number> {
    return { ...Object.fromEntries(this.roles.map((r) => [r.name, r.pid])), ...servicePids() };
  }

  /** The requests each role has sent so far, from its `/metrics`. */
  async requestTallies(): Promise<Record<string, RequestTally>> {
    const tallies = await Promise.all(this.#metricsUrls.map(scrapeRequestTally));
    return Object.fromEntries(this.roles.map((role, i) => [role.name, tallies[i]]));
  }

  /** The roles that have exited (they should run until {@link close}). */
  exitedRoles(): string[] {
    return [...this.#exited];
  }

  /** Starts a publisher sending `count` generated orders at `rate` per second. */
  startPublisher(rate: number, count: number, seed: number): RoleProcess {
    const args = ["--role", "publisher", "--count", String(count), "--rate", String(rate)];
    return new RoleProcess(
      "publisher",
      [...args, "--progress", "off", "--seed", String(seed)],
      this.#publisherEnv,
    );
  }

  /** Takes service-2's new log lines into {@link completions}. */
  poll(): void {
    const lines = this.roles[2].stderr;
    for (; this.#parsed < lines.length; this.#parsed++) {
      const line = lines[this.#parsed];
      if (!outcomeLine.test(line)) continue;
      try {
        const entry = JSON.parse(line);
        // One figure per order: its first completion (a redelivery after a rebalance logs again later).
        if (!this.completions.has(entry.request_id)) {
          this.completions.set(entry.request_id, Date.parse(entry.time));
        }
      } catch {
        // Not a log line of service-2's.
      }
    }
  }

  /** Those of `ids` not completed yet. */
  pending(ids: readonly string[]): string[] {
    this.poll();
    return ids.filter((id) => !this.completions.has(id));
  }

  /** Waits until every one of `ids` is completed, at most `timeoutMs`; how many are still pending. */
  async waitFor(ids: readonly string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let pending = this.pending(ids);
    while (pending.length > 0 && Date.now() < deadline && this.#exited.size === 0) {
      await sleep(100);
      pending = this.pending(pending);
    }
    return pending.length;
  }

  /** Reads the append times of everything on the chain's topics so far (the follower is paused meanwhile). */
  async catchUp(): Promise<void> {
    await this.#follower!.catchUp();
  }

  /** Stops the roles, the follower and the SMTP sink; deletes the topics and the routes file. */
  async close(): Promise<void> {
    for (const role of this.roles) {
      const status = await role.stop("SIGTERM");
      if (status.code !== 0) {
        note(`${this.id}: ${role.name} exited with code ${status.code}\n${role.tail(5)}`);
      }
    }
    await this.#follower?.stop();
    await this.#smtp.close();
    await deleteTopics(this.#context.admin, Object.values(this.topics));
    await Deno.remove(this.#routes).catch(() => {});
  }
}
