/**
 * The one place that decides whether a failure may pass on a later try. Errors say so themselves with a
 * boolean `retriable` flag (chain's own errors, kafkajs's errors, {@link PayloadError}); this module reads it,
 * on the error or on the first error of its `cause` chain that has one. cassandra-driver's errors carry no
 * flag: a server reply saying the request itself is wrong (syntax, invalid, unauthorized, configuration) is
 * permanent; the rest (no host, timeouts, overload) may pass.
 *
 * @module
 */

/** What the retry policy can tell about a failure. */
export type Retriability = "retriable" | "permanent" | "unknown";

/** Reads the `retriable` flag on `error` or, failing that, on its causes. */
export function retriability(error: unknown): Retriability {
  for (let current = error, depth = 0; current !== undefined && depth < 8; depth++) {
    if (typeof current !== "object" || current === null) return "unknown";
    const flag = (current as { retriable?: unknown }).retriable;
    if (typeof flag === "boolean") return flag ? "retriable" : "permanent";
    if (isPermanentCassandraError(current)) return "permanent";
    current = (current as { cause?: unknown }).cause;
  }
  return "unknown";
}

/** True unless the failure says it is permanent: what is not known to be permanent is worth another try. */
export function isRetriable(error: unknown): boolean {
  return retriability(error) !== "permanent";
}

/** Cassandra native protocol error codes that the same request would get again. */
const PERMANENT_CASSANDRA_CODES = new Set([
  0x000a, // protocol error
  0x0100, // bad credentials
  0x2000, // syntax error
  0x2100, // unauthorized
  0x2200, // invalid
  0x2300, // configuration error
]);

function isPermanentCassandraError(error: object): boolean {
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === "ResponseError" && typeof code === "number" && PERMANENT_CASSANDRA_CODES.has(code);
}
