/**
 * The cassandra-driver client every Cassandra-using role shares, and the keyspace replication setting
 * (`CASSANDRA_REPLICATION`).
 *
 * @module
 */
import cassandra from "cassandra-driver";
import type { RequestCounts } from "../observability/request_counts.ts";
import { CountingTracker } from "./counting_tracker.ts";

/** How the keyspace chain creates is replicated. */
export type Replication =
  | { strategy: "SimpleStrategy"; replicationFactor: number }
  | { strategy: "NetworkTopologyStrategy"; dataCenters: Record<string, number> };

/** Where Cassandra is and which keyspace chain uses. */
export interface CassandraSettings {
  /** `host` or `host:port` of one or more nodes. */
  contactPoints: string[];
  /** The data center the driver sends requests to (LOCAL_QUORUM counts replicas there). */
  localDataCenter: string;
  /** The keyspace of chain's tables; statements name it explicitly, the client is not bound to it. */
  keyspace: string;
  /** Used only when the keyspace is created; an existing keyspace keeps its replication. */
  replication: Replication;
  /** PasswordAuthenticator credentials and client TLS; none when absent. Holds a secret: never log it. */
  security?: CassandraSecurity;
}

/** Who chain is to Cassandra and how it checks the nodes. */
export interface CassandraSecurity {
  auth?: { username: string; password: string };
  /** `ca` (PEM) replaces the system's trust store when given; `cert` + `key` when nodes require client auth. */
  tls?: { ca?: string; cert?: string; key?: string; servername?: string };
}

const dataCenterName = /^[A-Za-z0-9_.-]+$/;

function factor(text: string, what: string): number {
  if (!/^\d{1,2}$/.test(text) || Number(text) < 1 || Number(text) > 10) {
    throw new RangeError(`${what} must be an integer from 1 to 10, got "${text}"`);
  }
  return Number(text);
}

/**
 * Parses the replication setting.
 *
 * @example
 * ```ts
 * parseReplication("SimpleStrategy:1"); // { strategy: "SimpleStrategy", replicationFactor: 1 }
 * parseReplication("NetworkTopologyStrategy:dc1=3,dc2=2"); // { strategy: "NetworkTopologyStrategy", dataCenters: { dc1: 3, dc2: 2 } }
 * ```
 *
 * @throws {TypeError} when the text is not `<strategy>:<factors>` or names an unknown strategy
 * @throws {RangeError} when a replication factor is not an integer from 1 to 10
 */
export function parseReplication(text: string): Replication {
  const colon = text.indexOf(":");
  const strategy = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? "" : text.slice(colon + 1);
  if (strategy === "SimpleStrategy") {
    if (rest === "") throw new TypeError(`expected SimpleStrategy:N, got "${text}"`);
    return { strategy, replicationFactor: factor(rest, "replication factor") };
  }
  if (strategy === "NetworkTopologyStrategy") {
    if (rest === "") throw new TypeError(`expected NetworkTopologyStrategy:dc1=N,dc2=M, got "${text}"`);
    const dataCenters: Record<string, number> = {};
    for (const pair of rest.split(",")) {
      const equals = pair.indexOf("=");
      const dc = equals < 0 ? pair : pair.slice(0, equals);
      if (equals < 0 || !dataCenterName.test(dc)) {
        throw new TypeError(
          `expected dc=N pairs (data center names of [A-Za-z0-9_.-]) after NetworkTopologyStrategy:, got "${pair}"`,
        );
      }
      if (Object.hasOwn(dataCenters, dc)) throw new TypeError(`data center "${dc}" is given twice`);
      dataCenters[dc] = factor(pair.slice(equals + 1), `replication factor of ${dc}`);
    }
    return { strategy, dataCenters };
  }
  throw new TypeError(
    `strategy must be SimpleStrategy or NetworkTopologyStrategy (as in "SimpleStrategy:1"), got "${strategy}"`,
  );
}

/** The CQL replication map of `CREATE KEYSPACE … WITH replication = <this>`. */
export function replicationCql(replication: Replication): string {
  if (replication.strategy === "SimpleStrategy") {
    return `{'class': 'SimpleStrategy', 'replication_factor': ${replication.replicationFactor}}`;
  }
  const dcs = Object.entries(replication.dataCenters).map(([dc, n]) => `'${dc}': ${n}`).join(", ");
  return `{'class': 'NetworkTopologyStrategy', ${dcs}}`;
}

/**
 * Creates a client that is not bound to a keyspace (statements name `keyspace.table`), so the same client also
 * creates the schema. Statements default to prepared, LOCAL_QUORUM. The caller connects lazily (first query)
 * and calls `shutdown()`. With `counts`, every request it sends is counted there.
 */
export function createCassandraClient(
  settings: Pick<CassandraSettings, "contactPoints" | "localDataCenter" | "security">,
  counts?: RequestCounts,
): cassandra.Client {
  const { auth, tls } = settings.security ?? {};
  return new cassandra.Client({
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
    ...(auth ? { authProvider: new cassandra.auth.PlainTextAuthProvider(auth.username, auth.password) } : {}),
    // The driver does not check certificates unless told to (its default is rejectUnauthorized: false).
    ...(tls
      ? {
        sslOptions: {
          rejectUnauthorized: true,
          ...(tls.ca !== undefined ? { ca: [tls.ca] } : {}),
          ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
          ...(tls.key !== undefined ? { key: tls.key } : {}),
          ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
        },
      }
      : {}),
    queryOptions: { consistency: cassandra.types.consistencies.localQuorum, prepare: true },
    socketOptions: { connectTimeout: 5000, readTimeout: 12000 },
    ...(counts ? { requestTracker: new CountingTracker(counts) } : {}),
  });
}
