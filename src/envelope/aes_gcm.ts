/**
 * AES-256-GCM through Web Crypto: the only cipher chain's services use.
 *
 * Every encryption draws a fresh random 12-byte IV; the 16-byte tag is kept apart from the ciphertext, as the
 * envelope carries them in separate fields.
 *
 * @example
 * ```ts
 * const key = await parseKey(keyText); // 32 bytes: 44 base64 characters or 64 hex characters
 * const sealed = await encrypt(key, plaintext, additionalData); // { ciphertext, iv, tag }
 * const same = await decrypt(key, sealed, additionalData);
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** Bytes in an AES-256 key. */
export const KEY_BYTES = 32;
/** Bytes in a GCM IV (nonce). */
export const IV_BYTES = 12;
/** Bytes in a GCM authentication tag. */
export const TAG_BYTES = 16;

/** Why decryption failed. */
export type DecryptErrorReason = "iv_length" | "tag_length" | "authentication_failed";

/** A payload that cannot be decrypted. The message never contains key, ciphertext or plaintext. */
export class DecryptError extends Error {
  override name = "DecryptError";
  /** Which check failed. */
  readonly reason: DecryptErrorReason;

  constructor(reason: DecryptErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** An encrypted payload: the ciphertext without its tag, the IV and the tag. */
export interface Sealed {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
}

const HEX_PATTERN = /^[0-9a-fA-F]+$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const KEY_RULE = `must be ${KEY_BYTES} bytes (base64) or ${KEY_BYTES * 2} hex characters`;
/** Characters in 32 bytes of padded base64. */
const BASE64_KEY_LENGTH = 44;
const AES_GCM = "AES-GCM";

/**
 * Imports a key given as text (`ENCRYPTION_KEY`): 32 bytes as standard base64 (44 characters with padding)
 * or as 64 hex characters. Surrounding whitespace, such as a trailing newline, is ignored.
 *
 * The key is imported non-extractable, for encrypt and decrypt only. Error messages give the length found but
 * never the text; they start with "must be", so the caller can prefix the variable name.
 *
 * @throws {RangeError} if the text is hex or base64 of the wrong length.
 * @throws {TypeError} if the text is neither hex nor base64.
 */
export async function parseKey(text: string): Promise<CryptoKey> {
  const trimmed = text.trim();
  if (trimmed === "") throw new TypeError(`${KEY_RULE}, got an empty value`);
  const isHex = HEX_PATTERN.test(trimmed);
  let bytes: Uint8Array<ArrayBuffer>;
  if (isHex && trimmed.length === KEY_BYTES * 2) {
    bytes = new Uint8Array(Buffer.from(trimmed, "hex"));
  } else if (isHex && trimmed.length !== BASE64_KEY_LENGTH) {
    throw new RangeError(`${KEY_RULE}, got ${trimmed.length} hex characters`);
  } else if (BASE64_PATTERN.test(trimmed) && trimmed.length % 4 === 0) {
    bytes = new Uint8Array(Buffer.from(trimmed, "base64"));
    if (bytes.length !== KEY_BYTES) throw new RangeError(`${KEY_RULE}, got ${bytes.length} bytes`);
  } else {
    throw new TypeError(`${KEY_RULE}, got ${trimmed.length} characters that are neither base64 nor hex`);
  }
  return await crypto.subtle.importKey("raw", bytes, AES_GCM, false, ["encrypt", "decrypt"]);
}

/**
 * Encrypts `plaintext` under a fresh random 12-byte IV; `additionalData` is authenticated but not encrypted,
 * and decryption needs the same bytes.
 */
export async function encrypt(
  key: CryptoKey,
  plaintext: Uint8Array,
  additionalData: Uint8Array,
): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const output = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: AES_GCM, iv, additionalData: additionalData as BufferSource, tagLength: TAG_BYTES * 8 },
      key,
      plaintext as BufferSource,
    ),
  );
  const tagStart = output.length - TAG_BYTES;
  return { ciphertext: output.subarray(0, tagStart), iv, tag: output.subarray(tagStart) };
}

/**
 * Authenticates and decrypts a sealed payload.
 *
 * @throws {DecryptError} with reason "iv_length" or "tag_length" before trying, or "authentication_failed"
 * when the ciphertext, IV, tag, key or additional data do not match.
 */
export async function decrypt(
  key: CryptoKey,
  { ciphertext, iv, tag }: Sealed,
  additionalData: Uint8Array,
): Promise<Uint8Array> {
  if (iv.length !== IV_BYTES) {
    throw new DecryptError(
      "iv_length",
      `Cannot decrypt payload: iv is ${iv.length} bytes, expected ${IV_BYTES}`,
    );
  }
  if (tag.length !== TAG_BYTES) {
    throw new DecryptError(
      "tag_length",
      `Cannot decrypt payload: tag is ${tag.length} bytes, expected ${TAG_BYTES}`,
    );
  }
  // Web Crypto wants the tag appended to the ciphertext.
  const joined = new Uint8Array(ciphertext.length + TAG_BYTES);
  joined.set(ciphertext);
  joined.set(tag, ciphertext.length);
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      {
        name: AES_GCM,
        iv: iv as BufferSource,
        additionalData: additionalData as BufferSource,
        tagLength: TAG_BYTES * 8,
      },
      key,
      joined,
    );
  } catch {
    throw new DecryptError(
      "authentication_failed",
      "Cannot decrypt payload: authentication failed (tampered data, wrong key or wrong additional data)",
    );
  }
  return new Uint8Array(plaintext);
}
