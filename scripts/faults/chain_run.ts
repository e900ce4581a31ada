/**
 * One scenario's chain: its own topics (`faults-<random>-…`), keyspace, consumer groups and routes file, an SMTP
 * sink, `chain init`, and the roles as supervised processes. {@link ChainRun.close} stops everything, keeps
 * every process's log in `.local/faults/<run id>/` and drops the keyspace and topics.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Admin, Kafka } from "kafkajs";
import cassandra from "cassandra-driver";
import { roleEnv, RoleProcess, topicEnv } from "../../support/role_process.ts";
import { serviceAddresses, serviceEnv, testKafka, uniqueName } from "../../support/services.ts";
import { type SmtpSink, startSmtpSink } from "../../support/smtp_sink.ts";
import { exampleRoutes, writeRoutesFile } from "../../support/test_chain.ts";
import { SupervisedRole } from "./supervised_role.ts";
import { note } from "./timing.ts";

const logRoot = new URL("../../.local/faults/", import.meta.url).pathname;

/** The roles a scenario starts. */
export type RoleName = "command-center" | "service-1" | "service-2";

/** A running chain of one scenario. */
export class ChainRun {
  readonly scenario: string;
  /** `faults-<8 hex>`: prefix of the run's topics and groups; with `_`, its keyspace. */
  readonly id: string;
  readonly keyspace: string;
  readonly topics: ReturnType<typeof topicEnv>;
  /** The run's ENCRYPTION_KEY (base64). */
  readonly key: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly cassandra: cassandra.Client;
  readonly smtp: SmtpSink;
  readonly routesFile: string;
  readonly roles: SupervisedRole[] = [];
  /** Processes that are not roles (init, publishers). */
  readonly commands: RoleProcess[] = [];

  private constructor(scenario: string, parts: {
    id: string;
    key: string;
    kafka: Kafka;
    admin: Admin;
    cassandra: cassandra.Client;
    smtp: SmtpSink;
    routesFile: string;
  }) {
    this.scenario = scenario;
    this.id = parts.id;
    this.keyspace = parts.id.replaceAll("-", "_");
    this.topics = topicEnv(parts.id);
    this.key = parts.key;
    this.kafka = parts.kafka;
    this.admin = parts.admin;
    this.cassandra = parts.cassandra;
    this.smtp = parts.smtp;
    this.routesFile = parts.routesFile;
  }

  /** Creates the run's names, routes file, clients and SMTP sink, and runs `chain init`. */
  static async open(scenario: string): Promise<ChainRun> {
    const id = uniqueName("faults");
    const topics = topicEnv(id);
    const routesFile = await writeRoutesFile(exampleRoutes(topics));
    const kafka = testKafka(`faults-${scenario}`);
    const admin = kafka.admin();
    await admin.connect();
    // Its own client rather than chain's, reconnecting every second, so that the measurement of an outage does
    // not wait for the driver's default exponential reconnection.
    const { contactPoints, localDc } = serviceAddresses();
    const db = new cassandra.Client({
      contactPoints,
      localDataCenter: localDc,
      policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1_000) },
    });
    await db.connect();
    const run = new ChainRun(scenario, {
      id,
      key: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
      kafka,
      admin,
      cassandra: db,
      smtp: await startSmtpSink(),
      routesFile,
    });
    note(`${scenario}: run ${id} (keyspace ${run.keyspace})`);
    const init = run.command("init", ["init"]);
    const status = await init.finished();
    if (status.code !== 0) throw new Error(`chain init failed (exit ${status.code}):\n${init.tail()}`);
    return run;
  }

  /** The variables every process of the run gets; the key only for the roles that decrypt. */
  env(withKey: boolean): Record<string, string> {
    return {
      ...this.topics,
      ...serviceEnv(),
      CASSANDRA_KEYSPACE: this.keyspace,
      ROUTES_FILE: this.routesFile,
      LOG_LEVEL: "info",
      ...(withKey ? { ENCRYPTION_KEY: this.key, SMTP_URL: this.smtp.url } : {}),
    };
  }

  /** Runs a chain command (init, publisher, trace) as a process of its own, not supervised. */
  command(name: string, args: string[], withKey = false): RoleProcess {
    const process = new RoleProcess(`${name}#${this.commands.length}`, args, roleEnv(this.env(withKey)));
    this.commands.push(process);
    return process;
  }

  /** Starts a supervised role in the run's consumer group for that role. */
  start(role: RoleName, label: string = role): SupervisedRole {
    // Each label is one replica: its own static instance id (kept by a restart under the label) and a client
    // id that tells its member apart in the group's description.
    const env = {
      ...this.env(role !== "command-center"),
      KAFKA_GROUP_ID: `${this.id}-${role}`,
      CHAIN_INSTANCE_ID: label,
      KAFKA_CLIENT_ID: `chain-${label}`,
    };
    const supervised = new SupervisedRole(label, ["--role", role], env);
    this.roles.push(supervised);
    return supervised;
  }

  /** The role started under `label`. */
  role(label: string): SupervisedRole {
    const found = this.roles.find((r) => r.name === label);
    if (!found) throw new Error(`no role ${label} in ${this.scenario}`);
    return found;
  }

  /** Stops every process, keeps their logs, drops the keyspace and topics, closes the clients. */
  async close(): Promise<string> {
    await Promise.all(this.roles.map((r) => r.stop()));
    await Promise.all(this.commands.map((c) => c.stop("SIGKILL")));
    const dir = `${logRoot}${this.id}-${this.scenario}`;
    await Deno.mkdir(dir, { recursive: true });
    for (const process of [...this.roles.flatMap((r) => r.processes), ...this.commands]) {
      await Deno.writeTextFile(`${dir}/${process.name}.log`, process.stderr.join("\n") + "\n");
      if (process.stdout.length > 0) {
        await Deno.writeTextFile(`${dir}/${process.name}.stdout`, process.stdout.join("\n") + "\n");
      }
    }
    await this.smtp.close();
    await this.cassandra.execute(`DROP KEYSPACE IF EXISTS ${this.keyspace}`).catch(() => {});
    await this.cassandra.shutdown().catch(() => {});
    await this.admin.deleteTopics({ topics: Object.values(this.topics) }).catch(() => {});
    await this.admin.disconnect().catch(() => {});
    await Deno.remove(this.routesFile).catch(() => {});
    return dir;
  }
}
