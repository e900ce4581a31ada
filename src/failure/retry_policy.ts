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

/** How a backoff grows: the first wait, doubled per failure up to the last. */
export interface Backoff {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * The one backoff of chain: the wait after the `failures`-th failure in a row (1 = the first), `minMs` doubled
 * per failure since, never above `maxMs`. The retry policy, the sources' batch retries and the metadata log's
 * write retries all wait by it.
 */
export function backoffDelay(failures: number, backoff: Backoff): number {
  return Math.min(backoff.minMs * 2 ** Math.max(0, failures - 1), backoff.maxMs);
}

/** How long {@link retryWhileRetriable} keeps trying, and how it waits between tries. */
export interface RetryWindow {
  /**
   * Tries stop once this long has passed since the first (the last error is thrown); `Infinity` sets no limit,
   * so only a permanent failure or the signal ends them.
   */
  maxMs: number;
  /** The first wait; it doubles per failure up to `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Aborting stops the tries at once (the last error is thrown). */
  signal?: AbortSignal;
}

/**
 * Runs `work` until it succeeds, trying again after each failure that {@link isRetriable} allows, backing off,
 * within `window`. For a step whose caller has already done something it cannot undo (a mail sent), where
 * failing the whole batch would repeat that.
 *
 * @throws the first permanent failure, or the last failure once the window is over or the signal aborted
 */
export async function retryWhileRetriable<T>(work: () => Promise<T>, window: RetryWindow): Promise<T> {
  const deadline = performance.now() + window.maxMs;
  const backoff = { minMs: window.minDelayMs, maxMs: window.maxDelayMs };
  for (let failures = 1;; failures++) {
    try {
      return await work();
    } catch (error) {
      const left = deadline - performance.now();
      if (!isRetriable(error) || left <= 0 || window.signal?.aborted) throw error;
      await waitOrAbort(Math.min(backoffDelay(failures, backoff), left), window.signal);
      if (window.signal?.aborted) throw error;
    }
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function waitOrAbort(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
