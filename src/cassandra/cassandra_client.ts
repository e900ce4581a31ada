/**
 * The cassandra-driver client every Cassandra-using role shares, and the keyspace replication setting.
 *
 * @module
 */
import cassandra from "cassandra-driver";

/** How keyspaces chain creates are replicated. */
export type Replication =
  | { strategy: "SimpleStrategy"; replicationFactor: number }
  | { strategy: "NetworkTopologyStrategy"; dataCenters: Record<string, number> };

/** Where Cassandra is and which keyspace chain uses. */
export interface CassandraSettings {
  contactPoints: string[];
  localDataCenter: string;
  keyspace: string;
  replication: Replication;
}

function factor(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 10) {
    throw new RangeError(`${what} must be an integer from 1 to 10, got "${text}"`);
  }
  return n;
}

/** Parses `SimpleStrategy:N` or `NetworkTopologyStrategy:dc1=N,dc2=M`. */
export function parseReplication(text: string): Replication {
  const [strategy, rest = "", ...extra] = text.split(":");
  if (extra.length > 0 || rest === "") {
    throw new TypeError(`expected SimpleStrategy:N or NetworkTopologyStrategy:dc1=N,…, got "${text}"`);
  }
  if (strategy === "SimpleStrategy") {
    return { strategy, replicationFactor: factor(rest, "replication factor") };
  }
  if (strategy === "NetworkTopologyStrategy") {
    const dataCenters: Record<string, number> = {};
    for (const pair of rest.split(",")) {
      const [dc, n] = pair.split("=");
      if (!dc || n === undefined || !/^[A-Za-z0-9_.-]+$/.test(dc)) {
        throw new TypeError(`expected dc=N pairs after NetworkTopologyStrategy:, got "${pair}"`);
      }
      dataCenters[dc] = factor(n, `replication factor of ${dc}`);
    }
    return { strategy, dataCenters };
  }
  throw new TypeError(`strategy must be SimpleStrategy or NetworkTopologyStrategy, got "${strategy}"`);
}

/** The CQL replication map for `CREATE KEYSPACE`. */
export function replicationCql(r: Replication): string {
  if (r.strategy === "SimpleStrategy") {
    return `{'class': 'SimpleStrategy', 'replication_factor': ${r.replicationFactor}}`;
  }
  const dcs = Object.entries(r.dataCenters).map(([dc, n]) => `'${dc}': ${n}`).join(", ");
  return `{'class': 'NetworkTopologyStrategy', ${dcs}}`;
}

/** A client not bound to a keyspace (statements name `keyspace.table`), so one client also creates the schema. */
export function createCassandraClient(settings: CassandraSettings): cassandra.Client {
  return new cassandra.Client({
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
    queryOptions: { consistency: cassandra.types.consistencies.localQuorum, prepare: true },
    socketOptions: { connectTimeout: 5000, readTimeout: 12000 },
  });
}
