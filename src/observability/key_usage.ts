/**
 * Reporting how much each key of a role's keyring has sealed: a warning in the log from 2^31 encryptions on
 * (and every 2^28 after), and `chain_key_encryptions_total{key_id}` on `/metrics`. The counts are this
 * process's own: a fleet's total for a key is the sum over every process that seals with it.
 *
 * @module
 */
import type { Logger } from "../logging/logger.ts";
import { GCM_RANDOM_IV_LIMIT, type Keyring } from "../envelope/keyring.ts";
import type { ChainMetrics } from "./chain_metrics.ts";

/** Logs a warning each time a key of `keyring` reaches a reporting threshold, and exposes the counts. */
export function reportKeyUsage(keyring: Keyring, logger: Logger, metrics?: ChainMetrics): void {
  keyring.onUsage((keyId, encryptions) => {
    const share = Math.round((encryptions / GCM_RANDOM_IV_LIMIT) * 100);
    logger.warn(
      { key_id: keyId, encryptions, limit: GCM_RANDOM_IV_LIMIT },
      `key "${keyId}" has sealed ${encryptions} envelopes in this process, ${share}% of the 2^32 random-IV ` +
        "encryptions NIST SP 800-38D allows per AES-GCM key (counted per process; add up the fleet): " +
        "rotate to a new key",
    );
  });
  metrics?.observeKeys(() => keyring.encryptions());
}
