/**
 * AES-256-GCM through Web Crypto: the only cipher chain's services use.
 *
 * A fresh random 12-byte IV for every encryption; a 16-byte tag kept apart from the ciphertext.
 *
 * @example
 * ```ts
 * const key = await parseKey(Deno.env.get("ENCRYPTION_KEY")!);
 * const sealed = await encrypt(key, plaintext, additionalData);
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
  constructor(readonly reason: DecryptErrorReason, message: string) {
    super(message);
  }
}

/** An encrypted payload: ciphertext without tag, the IV, the tag. */
export interface Sealed {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
}

const hex64 = /^[0-9a-fA-F]{64}$/;
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Imports `ENCRYPTION_KEY`: 32 bytes as base64 (44 characters) or as 64 hex characters. Throws `TypeError` for
 * text that is neither, `RangeError` for the wrong length; the message never repeats the text.
 */
export function parseKey(text: string): Promise<CryptoKey> {
  const trimmed = text.trim();
  let bytes: Uint8Array;
  if (hex64.test(trimmed)) {
    bytes = Buffer.from(trimmed, "hex");
  } else if (base64.test(trimmed) && trimmed.length % 4 === 0 && trimmed.length > 0) {
    bytes = Buffer.from(trimmed, "base64");
    if (bytes.length !== KEY_BYTES) {
      throw new RangeError(
        `must be ${KEY_BYTES} bytes (base64) or 64 hex characters, got ${bytes.length} bytes`,
      );
    }
  } else {
    throw new TypeError(`must be ${KEY_BYTES} bytes in base64 or 64 hex characters; it is neither`);
  }
  return crypto.subtle.importKey("raw", new Uint8Array(bytes), "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** Encrypts with a fresh random IV; `additionalData` is authenticated but not encrypted. */
export async function encrypt(
  key: CryptoKey,
  plaintext: Uint8Array,
  additionalData: Uint8Array,
): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const out = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: additionalData as BufferSource, tagLength: TAG_BYTES * 8 },
      key,
      plaintext as BufferSource,
    ),
  );
  return {
    ciphertext: out.subarray(0, out.length - TAG_BYTES),
    iv,
    tag: out.subarray(out.length - TAG_BYTES),
  };
}

/** Decrypts and authenticates; throws {@link DecryptError} on a wrong length or failed authentication. */
export async function decrypt(
  key: CryptoKey,
  sealed: Sealed,
  additionalData: Uint8Array,
): Promise<Uint8Array> {
  if (sealed.iv.length !== IV_BYTES) {
    throw new DecryptError(
      "iv_length",
      `Cannot decrypt payload: iv is ${sealed.iv.length} bytes, expected ${IV_BYTES}`,
    );
  }
  if (sealed.tag.length !== TAG_BYTES) {
    throw new DecryptError(
      "tag_length",
      `Cannot decrypt payload: tag is ${sealed.tag.length} bytes, expected ${TAG_BYTES}`,
    );
  }
  const joined = new Uint8Array(sealed.ciphertext.length + TAG_BYTES);
  joined.set(sealed.ciphertext);
  joined.set(sealed.tag, sealed.ciphertext.length);
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: sealed.iv as BufferSource,
          additionalData: additionalData as BufferSource,
          tagLength: 128,
        },
        key,
        joined,
      ),
    );
  } catch {
    throw new DecryptError(
      "authentication_failed",
      "Cannot decrypt payload: authentication failed (tampered data, wrong key or wrong additional data)",
    );
  }
}
