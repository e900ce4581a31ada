/**
 * The one place that decides whether a failure may pass on a later try. Errors say so themselves with a
 * boolean `retriable` flag (chain's own errors, kafkajs's errors, {@link PayloadError}); this module reads it,
 * on the error or on the first error of its `cause` chain that has one.
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
    current = (current as { cause?: unknown }).cause;
  }
  return "unknown";
}

/** True unless the failure says it is permanent: what is not known to be permanent is worth another try. */
export function isRetriable(error: unknown): boolean {
  return retriability(error) !== "permanent";
}
