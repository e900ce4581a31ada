/**
 * Where the integration tests find the real Kafka and Cassandra: the same variables the roles read, with the
 * local services' addresses as defaults. Each test makes its own topics, group ids and keyspace.
 *
 * @module
 */
import { Kafka, logLevel } from "kafkajs";
import cassandra from "cassandra-driver";

/** Comma-separated `host:port` list, as in `KAFKA_BROKERS`. */
export const kafkaBrokers = (Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:9092").split(",");
/** Comma-separated `host:port` list, as in `CASSANDRA_CONTACT_POINTS`. */
export const cassandraContactPoints = (Deno.env.get("CASSANDRA_CONTACT_POINTS") ?? "127.0.0.1:9042").split(
  ",",
);
/** The data center the driver treats as local, as in `CASSANDRA_LOCAL_DC`. */
export const cassandraLocalDc = Deno.env.get("CASSANDRA_LOCAL_DC") ?? "datacenter1";

/** A name no other test run uses: `<prefix>-<8 random hex>`, valid for topics, groups and (with `_`) keyspaces. */
export function uniqueName(prefix: string): string {
  const suffix = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  return `${prefix}-${suffix}`;
}

/** A kafkajs client for tests, quiet unless something fails. */
export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers, logLevel: logLevel.ERROR });
}

/** A cassandra-driver client for tests, optionally bound to a keyspace. */
export function testCassandra(keyspace?: string): cassandra.Client {
  return new cassandra.Client({
    contactPoints: cassandraContactPoints,
    localDataCenter: cassandraLocalDc,
    keyspace,
  });
}
