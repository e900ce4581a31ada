/**
 * The envelope: chain's wire format on every topic. README's "The envelope, byte for byte" is its spec.
 *
 * @example
 * ```json
 * {"request_id":"550e8400-e29b-41d4-a716-446655440000","worker_name":"initial-publisher",
 *  "data":"<base64 ciphertext>","iv":"<base64, 12 bytes>","tag":"<base64, 16 bytes>"}
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { decrypt, encrypt } from "./crypto/aes_gcm.ts";

/** The five fields of an envelope, as they travel (base64 for the binary ones). */
export interface Envelope {
  request_id: string;
  worker_name: string;
  data: string;
  iv: string;
  tag: string;
}

/** What is wrong with a message that is not an envelope. */
export type EnvelopeErrorReason =
  | "oversize"
  | "not_json"
  | "not_object"
  | "missing_field"
  | "wrong_type"
  | "invalid_request_id"
  | "invalid_worker_name"
  | "invalid_base64"
  | "invalid_iv_length"
  | "invalid_tag_length";

/** A message that is not a valid envelope. The message names the field and the rule, never the value. */
export class EnvelopeError extends Error {
  override name = "EnvelopeError";
  constructor(readonly reason: EnvelopeErrorReason, message: string, readonly field?: keyof Envelope) {
    super(message);
  }
}

const fields = ["request_id", "worker_name", "data", "iv", "tag"] as const;
const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const workerName = /^[A-Za-z0-9._-]{1,128}$/;
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** 12 bytes in base64 are 16 characters with no padding. */
const iv64 = /^[A-Za-z0-9+/]{16}$/;
/** 16 bytes in base64 are 22 characters and "==". */
const tag64 = /^[A-Za-z0-9+/]{21}[AQgw]==$/;
const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** Checks a request_id and a worker_name; shared by parsing and sealing. */
function checkIdentity(requestId: string, worker: string): void {
  if (!uuid.test(requestId)) {
    throw new EnvelopeError("invalid_request_id", "request_id is not a UUID (8-4-4-4-12 hex)", "request_id");
  }
  if (!workerName.test(worker)) {
    throw new EnvelopeError(
      "invalid_worker_name",
      `worker_name must be 1-128 characters of A-Z a-z 0-9 . _ - (got ${worker.length} characters)`,
      "worker_name",
    );
  }
}

/**
 * Reads an envelope from a Kafka message value, checking its shape only (it decrypts nothing). This is on the
 * router's hot path: one decode, one JSON.parse, precompiled checks; `data` is checked by pattern, not decoded.
 * Unknown extra fields are allowed and ignored.
 */
export function parseEnvelope(value: Uint8Array, maxBytes: number): Envelope {
  if (value.byteLength > maxBytes) {
    throw new EnvelopeError(
      "oversize",
      `message is ${value.byteLength} bytes, more than the limit of ${maxBytes}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(value));
  } catch {
    throw new EnvelopeError("not_json", "message is not UTF-8 JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
    throw new EnvelopeError("not_object", `message is ${kind}, not a JSON object`);
  }
  const record = parsed as Record<string, unknown>;
  for (const field of fields) {
    const v = record[field];
    if (v === undefined) throw new EnvelopeError("missing_field", `${field} is missing`, field);
    if (typeof v !== "string") {
      throw new EnvelopeError(
        "wrong_type",
        `${field} must be a string, got ${v === null ? "null" : typeof v}`,
        field,
      );
    }
  }
  const envelope = record as unknown as Envelope;
  checkIdentity(envelope.request_id, envelope.worker_name);
  const { data, iv, tag } = envelope;
  if (data.length === 0 || data.length % 4 !== 0 || !base64.test(data)) {
    throw new EnvelopeError("invalid_base64", "data is not non-empty standard base64", "data");
  }
  if (!iv64.test(iv)) {
    throw new EnvelopeError(
      "invalid_iv_length",
      `iv must be 12 bytes in base64 (16 characters), got ${iv.length}`,
      "iv",
    );
  }
  if (!tag64.test(tag)) {
    throw new EnvelopeError(
      "invalid_tag_length",
      `tag must be 16 bytes in base64 (24 characters ending in ==), got ${tag.length} characters`,
      "tag",
    );
  }
  return envelope;
}

/**
 * The additional authenticated data that binds a payload to its envelope: the UTF-8 bytes of
 * `"chain-envelope-v1\n" + lowercase(request_id) + "\n" + worker_name`. A payload moved to another request_id
 * or relabelled with another worker_name then fails to decrypt.
 */
export function additionalData(requestId: string, worker: string): Uint8Array {
  return encoder.encode(`chain-envelope-v1\n${requestId.toLowerCase()}\n${worker}`);
}

/** Encrypts `payload` (as JSON) into an envelope for `requestId` sent by `worker`. */
export async function sealEnvelope(
  key: CryptoKey,
  requestId: string,
  worker: string,
  payload: unknown,
): Promise<Envelope> {
  checkIdentity(requestId, worker);
  const plaintext = encoder.encode(JSON.stringify(payload));
  const sealed = await encrypt(key, plaintext, additionalData(requestId, worker));
  return {
    request_id: requestId,
    worker_name: worker,
    data: Buffer.from(sealed.ciphertext).toString("base64"),
    iv: Buffer.from(sealed.iv).toString("base64"),
    tag: Buffer.from(sealed.tag).toString("base64"),
  };
}

/**
 * Decrypts an envelope's payload and parses its JSON. Throws `DecryptError` when authentication fails and
 * `SyntaxError` (without the plaintext) when the plaintext is not JSON.
 */
export async function openEnvelope(key: CryptoKey, envelope: Envelope): Promise<unknown> {
  const plaintext = await decrypt(
    key,
    {
      ciphertext: Buffer.from(envelope.data, "base64"),
      iv: Buffer.from(envelope.iv, "base64"),
      tag: Buffer.from(envelope.tag, "base64"),
    },
    additionalData(envelope.request_id, envelope.worker_name),
  );
  try {
    return JSON.parse(decoder.decode(plaintext));
  } catch {
    throw new SyntaxError("decrypted payload is not UTF-8 JSON");
  }
}

/** The message value for an envelope: UTF-8 JSON with exactly the five fields, in order. */
export function encodeEnvelope(e: Envelope): Uint8Array {
  return encoder.encode(
    JSON.stringify({
      request_id: e.request_id,
      worker_name: e.worker_name,
      data: e.data,
      iv: e.iv,
      tag: e.tag,
    }),
  );
}
