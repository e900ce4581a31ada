/**
 * Reading an encrypted envelope off a service topic: parse, decrypt, or say why not. Shared by service-1 and
 * service-2, which dead-letter what cannot be read.
 *
 * @module
 */
import type { InRecord } from "../messaging/records.ts";
import {
  type Envelope,
  EnvelopeError,
  KEY_ID_HEADER,
  openWithKeyring,
  parseEnvelope,
  UnknownKeyError,
} from "../envelope/envelope.ts";
import type { Keyring } from "../envelope/keyring.ts";
import { KEY_ID_PATTERN, KEY_ID_RULE } from "../envelope/key_id.ts";
import { PayloadError } from "../failure/payload_error.ts";
import { DecryptError } from "../envelope/aes_gcm.ts";

/** The outcome of reading one record. */
export type ReadResult =
  | { kind: "ok"; envelope: Envelope; payload: unknown }
  | {
    kind: "dead_letter";
    reason: "malformed" | "oversize" | "decrypt_failed" | "invalid_payload" | "unknown_key";
    detail: string;
  };

/**
 * Parses and decrypts `record`'s envelope with the ring's key named by its `chain-key-id` header (the legacy
 * key when it has none). Bad shape (a header that is not a key id too), a key the ring does not hold, failed
 * authentication and undecodable plaintext become a dead-letter result; anything else (a bug, an exhausted
 * machine) is thrown.
 */
export async function readEnvelope(
  record: InRecord,
  keyring: Keyring,
  maxBytes: number,
  open: (keyring: Keyring, envelope: Envelope, keyId: string | undefined) => Promise<unknown> =
    openWithKeyring,
): Promise<ReadResult> {
  let envelope: Envelope;
  try {
    if (record.value === null) {
      return { kind: "dead_letter", reason: "malformed", detail: "message has no value" };
    }
    envelope = parseEnvelope(record.value, maxBytes);
  } catch (error) {
    if (error instanceof EnvelopeError) {
      return {
        kind: "dead_letter",
        reason: error.reason === "oversize" ? "oversize" : "malformed",
        detail: error.message,
      };
    }
    throw error;
  }
  const keyId = record.headers[KEY_ID_HEADER];
  if (keyId !== undefined && !KEY_ID_PATTERN.test(keyId)) {
    const detail = `${KEY_ID_HEADER} header must be ${KEY_ID_RULE}, got ${keyId.length} characters`;
    return { kind: "dead_letter", reason: "malformed", detail };
  }
  try {
    return { kind: "ok", envelope, payload: await open(keyring, envelope, keyId) };
  } catch (error) {
    if (error instanceof UnknownKeyError) {
      return { kind: "dead_letter", reason: "unknown_key", detail: error.message };
    }
    if (error instanceof DecryptError) {
      return { kind: "dead_letter", reason: "decrypt_failed", detail: error.message };
    }
    if (error instanceof PayloadError) {
      return { kind: "dead_letter", reason: "invalid_payload", detail: error.message };
    }
    throw error;
  }
}
