import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { decrypt, DecryptError, type DecryptErrorReason, encrypt, parseKey, type Sealed } from "./aes_gcm.ts";

const encoder = new TextEncoder();
const keyText = Buffer.from(new Uint8Array(32).map((_, i) => i)).toString("base64");
const key = await parseKey(keyText);
const aad = encoder.encode("chain-envelope-v1\nid\nworker");
const plaintext = encoder.encode('{"orderId":"o-1","amount":12.5}');

async function assertRejected(
  sealed: Sealed,
  reason: DecryptErrorReason,
  using: CryptoKey = key,
  additionalData: Uint8Array = aad,
): Promise<void> {
  await assert.rejects(decrypt(using, sealed, additionalData), (error: unknown) => {
    assert.ok(error instanceof DecryptError, String(error));
    assert.equal(error.reason, reason);
    assert.ok(!error.message.includes("orderId"), "the message never shows plaintext");
    return true;
  });
}

async function assertKeyRejected(text: string, errorClass: ErrorConstructor, message: RegExp): Promise<void> {
  await assert.rejects(parseKey(text), (error: unknown) => {
    assert.ok(error instanceof errorClass, String(error));
    assert.match((error as Error).message, message);
    if (text.trim() !== "") {
      assert.ok(!(error as Error).message.includes(text.trim()), "never echoes the key");
    }
    return true;
  });
}

function flipped(bytes: Uint8Array, index = 0): Uint8Array {
  const copy = bytes.slice();
  copy[index] ^= 0x01;
  return copy;
}

Deno.test("encrypt() then decrypt() gives the plaintext back", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  assert.equal(sealed.iv.length, 12);
  assert.equal(sealed.tag.length, 16);
  assert.equal(sealed.ciphertext.length, plaintext.length);
  assert.deepEqual(await decrypt(key, sealed, aad), plaintext);
});

Deno.test("encrypt() draws a fresh IV for every call", async () => {
  const a = await encrypt(key, plaintext, aad);
  const b = await encrypt(key, plaintext, aad);
  assert.notDeepEqual(a.iv, b.iv);
  assert.notDeepEqual(a.ciphertext, b.ciphertext);
});

Deno.test("decrypt() rejects tampered ciphertext", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await assertRejected({ ...sealed, ciphertext: flipped(sealed.ciphertext, 3) }, "authentication_failed");
});

Deno.test("decrypt() rejects a tampered tag", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await assertRejected({ ...sealed, tag: flipped(sealed.tag, 15) }, "authentication_failed");
});

Deno.test("decrypt() rejects a tampered iv", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await assertRejected({ ...sealed, iv: flipped(sealed.iv) }, "authentication_failed");
});

Deno.test("decrypt() rejects the wrong key", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await assertRejected(sealed, "authentication_failed", await parseKey("ab".repeat(32)));
});

Deno.test("decrypt() rejects the wrong additional data", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await assertRejected(sealed, "authentication_failed", key, encoder.encode("chain-envelope-v1\nid\nother"));
});

Deno.test("decrypt() says why authentication failed without naming the cause it cannot know", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await assert.rejects(decrypt(key, { ...sealed, tag: flipped(sealed.tag) }, aad), {
    name: "DecryptError",
    message:
      "Cannot decrypt payload: authentication failed (tampered data, wrong key or wrong additional data)",
  });
});

Deno.test("decrypt() rejects an iv of 11 bytes before trying", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await assertRejected({ ...sealed, iv: sealed.iv.subarray(0, 11) }, "iv_length");
  await assert.rejects(decrypt(key, { ...sealed, iv: sealed.iv.subarray(0, 11) }, aad), {
    message: "Cannot decrypt payload: iv is 11 bytes, expected 12",
  });
});

Deno.test("decrypt() rejects a tag of 12 bytes before trying", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await assertRejected({ ...sealed, tag: sealed.tag.subarray(0, 12) }, "tag_length");
  await assert.rejects(decrypt(key, { ...sealed, tag: sealed.tag.subarray(0, 12) }, aad), {
    message: "Cannot decrypt payload: tag is 12 bytes, expected 16",
  });
});

Deno.test("parseKey() accepts the same 32 bytes as base64 or as 64 hex characters", async () => {
  const hex = await parseKey("0f".repeat(32));
  const base64 = await parseKey(Buffer.alloc(32, 0x0f).toString("base64"));
  const sealed = await encrypt(hex, plaintext, aad);
  assert.deepEqual(await decrypt(base64, sealed, aad), plaintext, "the same key either way");
  assert.deepEqual(await decrypt(await parseKey("0F".repeat(32)), sealed, aad), plaintext, "upper-case hex");
  const fromText = await encrypt(await parseKey(keyText), plaintext, aad);
  assert.deepEqual(
    await decrypt(await parseKey(`${keyText}\n`), fromText, aad),
    plaintext,
    "trailing newline",
  );
});

Deno.test("parseKey() imports a non-extractable AES-GCM key for encrypt and decrypt", async () => {
  assert.equal(key.extractable, false);
  assert.equal(key.algorithm.name, "AES-GCM");
  assert.deepEqual([...key.usages].sort(), ["decrypt", "encrypt"]);
  await assert.rejects(crypto.subtle.exportKey("raw", key));
});

Deno.test("parseKey() rejects base64 of the wrong length, giving the byte count but not the key", async () => {
  await assertKeyRejected(
    Buffer.alloc(16, 7).toString("base64"),
    RangeError,
    /^must be 32 bytes \(base64\) or 64 hex characters, got 16 bytes$/,
  );
  await assertKeyRejected(Buffer.alloc(33, 7).toString("base64"), RangeError, /got 33 bytes/);
});

Deno.test("parseKey() rejects hex of the wrong length, giving the character count but not the key", async () => {
  await assertKeyRejected("ab".repeat(31), RangeError, /got 62 hex characters/);
  await assertKeyRejected("ab".repeat(33), RangeError, /got 66 hex characters/);
});

Deno.test("parseKey() rejects text that is neither base64 nor hex without echoing it", async () => {
  await assertKeyRejected("not a key at all!", TypeError, /neither base64 nor hex/);
  await assertKeyRejected(`${keyText.slice(0, 40)}-_-_`, TypeError, /neither base64 nor hex/);
  await assertKeyRejected("  ", TypeError, /empty/);
});
