/**
 * A payload that decrypted but cannot be used: not JSON, or not the order a service expects. It is bad input,
 * not a fault of chain, so the message goes to the role's dead-letter topic with reason `invalid_payload`. A
 * built-in `TypeError` or `SyntaxError` from chain's own code is a bug instead, and is never taken for this.
 *
 * @module
 */

/** Why a payload was refused. The message names the rule it broke, never the payload's content. */
export class PayloadError extends Error {
  override name = "PayloadError";
  /** Bad input stays bad: retrying the same payload fails the same way. */
  readonly retriable = false;
  /** The dead-letter reason this error leads to. */
  readonly reason = "invalid_payload";
}
