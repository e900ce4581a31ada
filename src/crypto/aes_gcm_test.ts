import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { decrypt, DecryptError, encrypt, parseKey, type Sealed } from "./aes_gcm.ts";

const keyText = Buffer.from(new Uint8Array(32).map((_, i) => i)).toString("base64");
const key = await parseKey(keyText);
const aad = new TextEncoder().encode("chain-envelope-v1\nid\nworker");
const plaintext = new TextEncoder().encode('{"orderId":"o-1","amount":12.5}');

async function rejects(sealed: Sealed, reason: string, using = key, data = aad) {
  await assert.rejects(decrypt(using, sealed, data), (error: unknown) => {
    assert.ok(error instanceof DecryptError);
    assert.equal(error.reason, reason);
    assert.ok(!error.message.includes('"orderId"'));
    return true;
  });
}

function flip(bytes: Uint8Array, index = 0): Uint8Array {
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

Deno.test("encrypt() uses a fresh IV every time", async () => {
  const a = await encrypt(key, plaintext, aad);
  const b = await encrypt(key, plaintext, aad);
  assert.notDeepEqual(a.iv, b.iv);
  assert.notDeepEqual(a.ciphertext, b.ciphertext);
});

Deno.test("decrypt() rejects tampered ciphertext", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await rejects({ ...sealed, ciphertext: flip(sealed.ciphertext, 3) }, "authentication_failed");
});

Deno.test("decrypt() rejects a tampered tag", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await rejects({ ...sealed, tag: flip(sealed.tag, 15) }, "authentication_failed");
});

Deno.test("decrypt() rejects a tampered iv", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await rejects({ ...sealed, iv: flip(sealed.iv) }, "authentication_failed");
});

Deno.test("decrypt() rejects the wrong key", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await rejects(sealed, "authentication_failed", await parseKey("ab".repeat(32)));
});

Deno.test("decrypt() rejects the wrong additional data", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await rejects(
    sealed,
    "authentication_failed",
    key,
    new TextEncoder().encode("chain-envelope-v1\nid\nother"),
  );
});

Deno.test("decrypt() rejects an iv of 11 bytes and a tag of 12 bytes, naming the lengths", async () => {
  const sealed = await encrypt(key, plaintext, aad);
  await rejects({ ...sealed, iv: sealed.iv.subarray(0, 11) }, "iv_length");
  await assert.rejects(decrypt(key, { ...sealed, tag: sealed.tag.subarray(0, 12) }, aad), {
    message: "Cannot decrypt payload: tag is 12 bytes, expected 16",
  });
});

Deno.test("parseKey() accepts 32 bytes as base64 or as 64 hex characters", async () => {
  const hex = await parseKey("0f".repeat(32));
  const b64 = await parseKey(Buffer.alloc(32, 0x0f).toString("base64"));
  const sealed = await encrypt(hex, plaintext, aad);
  assert.deepEqual(await decrypt(b64, sealed, aad), plaintext, "the same key either way");
});

Deno.test("parseKey() rejects wrong lengths and non-key text without echoing it", () => {
  const secret = Buffer.alloc(16, 7).toString("base64");
  assert.throws(() => parseKey(secret), (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /got 16 bytes/);
    assert.ok(!e.message.includes(secret));
    return true;
  });
  for (const bad of ["", "not a key!", "ab".repeat(31), "ab".repeat(33)]) {
    assert.throws(() => parseKey(bad), (e: unknown) => {
      assert.ok(e instanceof TypeError || e instanceof RangeError);
      assert.ok(bad === "" || !(e as Error).message.includes(bad));
      return true;
    });
  }
});
