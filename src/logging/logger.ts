/**
 * The logger port every module logs through: structured fields first, then a one-line message (pino's call
 * shape). The adapter is pino_logger.ts, created once by the wiring (src/app/launch.ts) and passed in.
 *
 * Never log a key, a plaintext or a payload: pass ids, topics, counts and reasons only.
 *
 * @module
 */

/** One level's log call: `logger.warn({ topic }, "message")` or `logger.warn("message")`. */
export interface LogMethod {
  (fields: object, message?: string): void;
  (message: string): void;
}

/** A structured logger. */
export interface Logger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  /** Whether lines of `level` are written (kafkajs is asked for its info lines only when debugging). */
  isLevelEnabled(level: string): boolean;
}

const nothing: LogMethod = () => {};

/** A logger that writes nothing (for a client whose own lines a command keeps out of its output). */
export const silentLogger: Logger = {
  error: nothing,
  warn: nothing,
  info: nothing,
  debug: nothing,
  isLevelEnabled: () => false,
};
