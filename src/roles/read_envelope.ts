/**
 * Reading an encrypted envelope off a service topic: parse, decrypt, or say why not. Shared by service-1 and
 * service-2, which dead-letter what cannot be read.
 *
 * @module
 */
import type { InRecord } from "../messaging/records.ts";
import { type Envelope, EnvelopeError, parseEnvelope } from "../envelope/envelope.ts";
import { PayloadError } from "../failure/payload_error.ts";
import { DecryptError } from "../envelope/aes_gcm.ts";

/** The outcome of reading one record. */
export type ReadResult =
  | { kind: "ok"; envelope: Envelope; payload: unknown }
  | {
    kind: "dead_letter";
    reason: "malformed" | "oversize" | "decrypt_failed" | "invalid_payload";
    detail: string;
  };

/**
 * Parses and decrypts `record`'s envelope. Bad shape, failed authentication and undecodable plaintext become
 * a dead-letter result; anything else (a bug, an exhausted machine) is thrown.
 */
export async function readEnvelope(
  record: InRecord,
  key: CryptoKey,
  maxBytes: number,
  open: (key: CryptoKey, envelope: Envelope) => Promise<unknown>,
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
  try {
    return { kind: "ok", envelope, payload: await open(key, envelope) };
  } catch (error) {
    if (error instanceof DecryptError) {
      return { kind: "dead_letter", reason: "decrypt_failed", detail: error.message };
    }
    if (error instanceof PayloadError) {
      return { kind: "dead_letter", reason: "invalid_payload", detail: error.message };
    }
    throw error;
  }
}
