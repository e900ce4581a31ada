/**
 * A setting the user gave that cannot be used. `main()` prints its message as the one line the user sees and
 * exits 2; the cause, when there is one, stays attached for whoever catches it in-process.
 *
 * @module
 */

/** A setting that cannot be used; the message names the setting and what is wrong, never a secret. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
