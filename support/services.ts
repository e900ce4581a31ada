/**
 * Clients and settings for code outside the roles (tests, `deno task start`, the benchmark, the profiler): the
 * real Kafka and Cassandra found through the same settings the roles read (`KAFKA_BROKERS`,
 * `CASSANDRA_CONTACT_POINTS`, `CASSANDRA_LOCAL_DC`, with the settings table's defaults), built by chain's own
 * client factories. Nothing runs at import: every value is read when a function is called.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type cassandra from "cassandra-driver";
import { SettingReader } from "../src/app/setting_reader.ts";
import { createLogger, routeProcessWarnings } from "../src/logging/pino_logger.ts";
import { createKafka } from "../src/kafka/kafkajs/kafka_client.ts";
import { ensureTopics } from "../src/kafka/topics.ts";
import { createCassandraClient } from "../src/cassandra/cassandra_client.ts";

/** Where the local (or `KAFKA_BROKERS`/`CASSANDRA_*`-named) services are. */
export interface ServiceAddresses {
  brokers: string[];
  contactPoints: string[];
  localDc: string;
}

/** Reads the service addresses from this process's environment, with the settings table's defaults. */
export function serviceAddresses(): ServiceAddresses {
  const read = new SettingReader({}, Deno.env.toObject());
  return {
    brokers: read.addresses("brokers"),
    contactPoints: read.addresses("contactPoints"),
    localDc: read.text("localDc") ?? "datacenter1",
  };
}

/** The variables that point a role process (or an in-process `main()`) at the same services. */
export function serviceEnv(): Record<string, string> {
  const { brokers, contactPoints, localDc } = serviceAddresses();
  return {
    KAFKA_BROKERS: brokers.join(","),
    CASSANDRA_CONTACT_POINTS: contactPoints.join(","),
    CASSANDRA_LOCAL_DC: localDc,
  };
}

/** A name no other run uses: `<prefix>-<8 random hex>`, valid for topics, groups and (with `_`) keyspaces. */
export function uniqueName(prefix: string): string {
  const suffix = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  return `${prefix}-${suffix}`;
}

let warningsRouted = false;

/**
 * Routes process warnings as the roles do (kafkajs's known harmless TimeoutNegativeWarning left out), so a
 * script's or test's output stays clean. Called by {@link testKafka}; idempotent.
 */
export function routeWarnings(): void {
  if (warningsRouted) return;
  warningsRouted = true;
  routeProcessWarnings(createLogger("warn", { role: "support" }));
}

/** chain's kafkajs client (same retry and logging), quiet unless something fails. */
export function testKafka(clientId: string): Kafka {
  routeWarnings();
  return createKafka(
    { brokers: serviceAddresses().brokers, clientId },
    createLogger("error", { role: clientId }),
  );
}

/** chain's cassandra-driver client (not bound to a keyspace: statements name `keyspace.table`). */
export function testCassandra(): cassandra.Client {
  const { contactPoints, localDc } = serviceAddresses();
  return createCassandraClient({ contactPoints, localDataCenter: localDc });
}

/** Creates the topics of `names` that do not exist yet (`partitions` each, replication 1), as chain does. */
export async function createTopics(kafka: Kafka, names: string[], partitions = 3): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, names, partitions, 1);
  } finally {
    await admin.disconnect();
  }
}
