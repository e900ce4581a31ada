/**
 * A chain for an integration test, each role a separate process: its own id, keyspace and topics, a routes file
 * with the two routes of the example chain (and any the test adds), an SMTP sink, the environment every role
 * shares, and the roles it starts. {@link TestChain.close} kills the roles and removes all of it.
 *
 * @module
 */
import { roleEnv, RoleProcess, topicEnv } from "./role_process.ts";
import { serviceEnv, testCassandra, testKafka, uniqueName } from "./services.ts";
import { type SmtpSink, startSmtpSink } from "./smtp_sink.ts";

/** A route of the routes file, as the registry reads it. */
export interface TestRoute {
  targetTopic: string;
  enabled: boolean;
  routeId: string;
}

/** The example chain's two routes on `topics`: `initial-publisher` to service-1, `service-1-publisher` to service-2. */
export function exampleRoutes(topics: ReturnType<typeof topicEnv>): Record<string, TestRoute> {
  return {
    "initial-publisher": {
      targetTopic: topics.SERVICE_1_TOPIC,
      enabled: true,
      routeId: "route-publisher-to-service1",
    },
    "service-1-publisher": {
      targetTopic: topics.SERVICE_2_TOPIC,
      enabled: true,
      routeId: "route-service1-to-service2",
    },
  };
}

/** Writes a routes file of `routes` to a new temporary file and returns its path (remove it afterwards). */
export async function writeRoutesFile(routes: Record<string, TestRoute>): Promise<string> {
  const file = await Deno.makeTempFile({ prefix: "routes-", suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify({ routes }, null, 2));
  return file;
}

/** One running test chain. */
export class TestChain {
  readonly id: string;
  readonly keyspace: string;
  readonly topics: ReturnType<typeof topicEnv>;
  readonly routesFile: string;
  readonly smtp: SmtpSink;
  /** What every role's environment holds: topics, services, keyspace, routes file, log level info. */
  readonly env: Record<string, string>;
  /** The roles started so far, in order. */
  readonly roles: RoleProcess[] = [];

  private constructor(id: string, routesFile: string, smtp: SmtpSink) {
    this.id = id;
    this.keyspace = id.replaceAll("-", "_");
    this.topics = topicEnv(id);
    this.routesFile = routesFile;
    this.smtp = smtp;
    this.env = {
      ...this.topics,
      ...serviceEnv(),
      CASSANDRA_KEYSPACE: this.keyspace,
      ROUTES_FILE: routesFile,
      LOG_LEVEL: "info",
    };
  }

  /**
   * A chain named `label-…` whose routes file routes `initial-publisher` to service-1's topic and
   * `service-1-publisher` to service-2's, plus the routes `moreRoutes` makes from its topics.
   */
  static async open(
    label: string,
    moreRoutes: (topics: ReturnType<typeof topicEnv>) => Record<string, TestRoute> = () => ({}),
  ): Promise<TestChain> {
    const id = uniqueName(label);
    const topics = topicEnv(id);
    const routesFile = await writeRoutesFile({ ...exampleRoutes(topics), ...moreRoutes(topics) });
    return new TestChain(id, routesFile, await startSmtpSink());
  }

  /**
   * Starts `main.ts args` as `name`; its consumer group is the chain's id and the name before any `#`, and its
   * static instance id the name (`service-2#2` → `service-2-2`), so two replicas of a role can share the group.
   */
  start(name: string, args: string[], env: Record<string, string>): RoleProcess {
    const role = new RoleProcess(
      name,
      args,
      roleEnv({
        CHAIN_INSTANCE_ID: name.replace(/[^A-Za-z0-9._-]/g, "-"),
        ...env,
        KAFKA_GROUP_ID: `${this.id}-${name.replace(/#.*/, "")}`,
      }),
    );
    this.roles.push(role);
    return role;
  }

  /** Kills the roles, stops the SMTP sink, drops the keyspace, deletes the topics and the routes file. */
  async close(): Promise<void> {
    await Promise.all(this.roles.map((r) => r.stop("SIGKILL")));
    await this.smtp.close();
    const cassandra = testCassandra();
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${this.keyspace}`).catch(() => {});
    await cassandra.shutdown();
    const admin = testKafka(`${this.id}-cleanup`).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(this.topics) }).catch(() => {});
    await admin.disconnect();
    await Deno.remove(this.routesFile);
  }
}
