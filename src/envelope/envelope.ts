/**
 * The envelope: chain's wire format on every topic. README's "The envelope, byte for byte" is its spec.
 *
 * The Kafka message key is the request_id; the value is UTF-8 JSON with five string fields. `data` is the
 * AES-256-GCM ciphertext of the payload's JSON, with {@link additionalData} binding it to request_id,
 * worker_name and the id of the key that sealed it, which travels in the record's {@link KEY_ID_HEADER} header.
 * An envelope without that header (the format before key ids) binds request_id and worker_name only.
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
import { decrypt, encrypt, IV_BYTES, TAG_BYTES } from "./aes_gcm.ts";
import { PayloadError } from "../failure/payload_error.ts";
import { NAME_PATTERN, NAME_RULE, REQUEST_ID_PATTERN } from "../messaging/names.ts";
import type { Keyring } from "./keyring.ts";
import { KEY_ID_PATTERN, KEY_ID_RULE } from "./key_id.ts";

/** The Kafka header that carries the id of the key that sealed the envelope (UTF-8, a {@link KEY_ID_PATTERN}). */
export const KEY_ID_HEADER = "chain-key-id";

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
  /** Which rule the message breaks; it goes on the dead-letter record. */
  readonly reason: EnvelopeErrorReason;
  /** The field at fault, when there is one. */
  readonly field?: keyof Envelope;

  constructor(reason: EnvelopeErrorReason, message: string, field?: keyof Envelope) {
    super(message);
    this.reason = reason;
    if (field !== undefined) this.field = field;
  }
}

/** Standard alphabet and padding; the length (a multiple of 4) is checked apart. */
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
/** 12 bytes in base64 are 16 characters with no padding. */
const IV_PATTERN = /^[A-Za-z0-9+/]{16}$/;
/** 16 bytes in base64 are 22 characters then "=="; the 22nd holds only 2 bits, so it is A, Q, g or w. */
const TAG_PATTERN = /^[A-Za-z0-9+/]{21}[AQgw]==$/;
const AAD_PREFIX = "chain-envelope-v1";
const AAD_PREFIX_WITH_KEY_ID = "chain-envelope-v2";
const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** Checks a request_id and a worker_name; shared by parsing and sealing. */
function checkIdentity(requestId: string, workerName: string): void {
  if (!REQUEST_ID_PATTERN.test(requestId)) {
    throw new EnvelopeError("invalid_request_id", "request_id is not a UUID (8-4-4-4-12 hex)", "request_id");
  }
  if (!NAME_PATTERN.test(workerName)) {
    throw new EnvelopeError(
      "invalid_worker_name",
      `worker_name must be ${NAME_RULE} (got ${workerName.length} characters)`,
      "worker_name",
    );
  }
}

/**
 * Reads an envelope from a Kafka message value, checking its shape only: it decrypts nothing and does not
 * decode `data`. Unknown extra fields are allowed and left out of the result.
 *
 * This is on the router's hot path, so it is one size check, one UTF-8 decode, one `JSON.parse` and
 * precompiled patterns.
 *
 * @param maxBytes the largest message value accepted, checked before anything is decoded.
 * @throws {EnvelopeError} naming the first rule the message breaks.
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
  const envelope: Envelope = {
    request_id: stringField(record, "request_id"),
    worker_name: stringField(record, "worker_name"),
    data: stringField(record, "data"),
    iv: stringField(record, "iv"),
    tag: stringField(record, "tag"),
  };
  checkIdentity(envelope.request_id, envelope.worker_name);
  const { data, iv, tag } = envelope;
  if (data.length === 0 || data.length % 4 !== 0 || !BASE64_PATTERN.test(data)) {
    throw new EnvelopeError(
      "invalid_base64",
      `data must be non-empty standard base64 with padding; it is not (${data.length} characters)`,
      "data",
    );
  }
  if (!IV_PATTERN.test(iv)) {
    throw new EnvelopeError(
      "invalid_iv_length",
      `iv must be ${IV_BYTES} bytes as base64 (16 characters), got ${iv.length} characters`,
      "iv",
    );
  }
  if (!TAG_PATTERN.test(tag)) {
    throw new EnvelopeError(
      "invalid_tag_length",
      `tag must be ${TAG_BYTES} bytes as base64 (24 characters ending in "=="), got ${tag.length} characters`,
      "tag",
    );
  }
  return envelope;
}

function stringField(record: Record<string, unknown>, field: keyof Envelope): string {
  const value = record[field];
  if (typeof value === "string") return value;
  if (value === undefined) throw new EnvelopeError("missing_field", `${field} is missing`, field);
  const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
  throw new EnvelopeError("wrong_type", `${field} must be a string, got ${kind}`, field);
}

/**
 * The additional authenticated data that binds a payload to its envelope, so that a payload cannot be moved
 * to another request_id, relabelled with another worker_name or claimed for another key id: decryption then
 * fails.
 *
 * With a key id (every envelope chain seals) it is, byte for byte, the UTF-8 encoding of
 *
 * ```
 * "chain-envelope-v2" 0x0A lower-case(request_id) 0x0A worker_name 0x0A key_id
 * ```
 *
 * and without one (the format before key ids, still opened with the ring's legacy key)
 *
 * ```
 * "chain-envelope-v1" 0x0A lower-case(request_id) 0x0A worker_name
 * ```
 *
 * with no trailing newline. Only the request_id is lower-cased (UUIDs are accepted in any case); the
 * worker_name and key id are used as is. For request_id `550E8400-E29B-41D4-A716-446655440000` from
 * `initial-publisher` sealed with key `2026-01` it is the 80 bytes of
 * `"chain-envelope-v2\n550e8400-e29b-41d4-a716-446655440000\ninitial-publisher\n2026-01"`.
 */
export function additionalData(requestId: string, workerName: string, keyId?: string): Uint8Array {
  if (keyId === undefined) return encoder.encode(`${AAD_PREFIX}\n${requestId.toLowerCase()}\n${workerName}`);
  return encoder.encode(`${AAD_PREFIX_WITH_KEY_ID}\n${requestId.toLowerCase()}\n${workerName}\n${keyId}`);
}

/**
 * Encrypts `payload`, as UTF-8 JSON, into an envelope for `requestId` from `workerName`, with
 * {@link additionalData} binding the two, and `keyId` when given, to the ciphertext. The key id itself travels
 * in the record's {@link KEY_ID_HEADER}; services seal through {@link sealWithKeyring}, which always gives one.
 *
 * @throws {EnvelopeError} if `requestId` or `workerName` breaks the rules {@link parseEnvelope} enforces.
 * @throws {RangeError} if `keyId` breaks {@link KEY_ID_PATTERN}.
 * @throws {TypeError} if `payload` has no JSON form (`undefined`, a function, a symbol) or cannot be
 * serialized (a cycle, a BigInt).
 */
export async function sealEnvelope(
  key: CryptoKey,
  requestId: string,
  workerName: string,
  payload: unknown,
  keyId?: string,
): Promise<Envelope> {
  checkIdentity(requestId, workerName);
  if (keyId !== undefined && !KEY_ID_PATTERN.test(keyId)) {
    throw new RangeError(`a key id must be ${KEY_ID_RULE} (got ${keyId.length} characters)`);
  }
  const json: string | undefined = JSON.stringify(payload);
  if (json === undefined) {
    throw new TypeError(`Cannot seal a payload of type ${typeof payload}: it has no JSON form`);
  }
  const sealed = await encrypt(key, encoder.encode(json), additionalData(requestId, workerName, keyId));
  return {
    request_id: requestId,
    worker_name: workerName,
    data: toBase64(sealed.ciphertext),
    iv: toBase64(sealed.iv),
    tag: toBase64(sealed.tag),
  };
}

/**
 * Decrypts an envelope's payload, using the additional data of its own request_id and worker_name and of
 * `keyId`, the key id its record carries (none for the format before key ids), and parses the JSON.
 *
 * @throws {DecryptError} if the payload does not authenticate (see {@link decrypt}).
 * @throws {PayloadError} if the decrypted payload is not UTF-8 JSON; the message does not show it.
 */
export async function openEnvelope(key: CryptoKey, envelope: Envelope, keyId?: string): Promise<unknown> {
  const plaintext = await decrypt(
    key,
    {
      ciphertext: Buffer.from(envelope.data, "base64"),
      iv: Buffer.from(envelope.iv, "base64"),
      tag: Buffer.from(envelope.tag, "base64"),
    },
    additionalData(envelope.request_id, envelope.worker_name, keyId),
  );
  try {
    return JSON.parse(decoder.decode(plaintext));
  } catch {
    throw new PayloadError(
      `Cannot open envelope: the decrypted payload (${plaintext.length} bytes) is not UTF-8 JSON`,
    );
  }
}

/** An envelope and the id of the key that sealed it, for the record's {@link KEY_ID_HEADER}. */
export interface KeyedEnvelope {
  envelope: Envelope;
  keyId: string;
}

/**
 * Seals with the ring's active key (counting one encryption for it), binding its id into the additional data;
 * the caller puts `keyId` in the record's {@link KEY_ID_HEADER}.
 */
export async function sealWithKeyring(
  keyring: Keyring,
  requestId: string,
  workerName: string,
  payload: unknown,
): Promise<KeyedEnvelope> {
  const { id, key } = keyring.sealingKey();
  return { envelope: await sealEnvelope(key, requestId, workerName, payload, id), keyId: id };
}

/** An envelope whose key id the ring does not hold (or, without a key id, a ring with no legacy key). */
export class UnknownKeyError extends Error {
  override name = "UnknownKeyError";
}

/**
 * Opens an envelope with the ring's key of `keyId`, the record's {@link KEY_ID_HEADER}; without one (the format
 * before key ids) with the ring's legacy key, the key of id "default".
 *
 * @throws {UnknownKeyError} if the ring holds no such key.
 * @throws {DecryptError} and {@link PayloadError} as {@link openEnvelope}.
 */
export async function openWithKeyring(
  keyring: Keyring,
  envelope: Envelope,
  keyId: string | undefined,
): Promise<unknown> {
  if (keyId === undefined) {
    const legacy = keyring.legacyKey;
    if (legacy === undefined) {
      throw new UnknownKeyError(
        `message has no ${KEY_ID_HEADER} header, and the keyring holds no "default" key to open such messages`,
      );
    }
    return await openEnvelope(legacy, envelope);
  }
  const key = keyring.get(keyId);
  if (key === undefined) {
    const shown = KEY_ID_PATTERN.test(keyId) ? `"${keyId}"` : `of ${keyId.length} characters (not a key id)`;
    throw new UnknownKeyError(`message is sealed with key ${shown}, which the keyring does not hold`);
  }
  return await openEnvelope(key, envelope, keyId);
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
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
