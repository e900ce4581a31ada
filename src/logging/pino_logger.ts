/**
 * The one logger, the adapter of the {@link Logger} port on pino: JSON lines on stderr (stdout stays for a role's
 * output, such as the publisher's request ids).
 *
 * Never log a key, a plaintext or a payload: pass ids, topics, counts and reasons only.
 *
 * @module
 */
import pino from "pino";
import process from "node:process";
import type { Logger } from "./logger.ts";

/** The levels a user may choose with `LOG_LEVEL`. */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** One of {@link logLevels}. */
export type LogLevel = typeof logLevels[number];

/** Creates the process's logger; `fields` (such as the role) are on every line. */
export function createLogger(level: LogLevel, fields: Record<string, string>): Logger {
  return pino(
    {
      level,
      base: { pid: Deno.pid, ...fields },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/**
 * Sends Node-style process warnings to `logger` instead of bare stderr lines, leaving out kafkajs's known
 * harmless TimeoutNegativeWarning (tulios/kafkajs#1751: a negative delay in its request queue, clamped to 1 ms).
 */
export function routeProcessWarnings(logger: Logger): void {
  process.removeAllListeners("warning");
  process.on("warning", (warning: Error) => {
    if (warning.name !== "TimeoutNegativeWarning") logger.warn({ warning: warning.name }, warning.message);
  });
}
