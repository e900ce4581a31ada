import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  FIRST_USAGE_WARNING,
  GCM_RANDOM_IV_LIMIT,
  importKeyring,
  isUsageThreshold,
  Keyring,
  KeyringError,
  LEGACY_KEY_ID,
  parseKeyringJson,
  USAGE_WARNING_STEP,
} from "./keyring.ts";
import { parseKey } from "./aes_gcm.ts";

const base64Key = Buffer.alloc(32, 7).toString("base64");
const hexKey = "ab".repeat(32);
const keyA = await parseKey(base64Key);
const keyB = await parseKey(hexKey);

function ringError(run: () => unknown, pattern: RegExp, secret?: string) {
  const check = (error: unknown) => {
    assert.ok(error instanceof KeyringError, String(error));
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes("\n"), "one line");
    if (secret) assert.ok(!error.message.includes(secret), `never echoes key material: ${error.message}`);
    return true;
  };
  return (async () => {
    try {
      await run();
    } catch (error) {
      return check(error);
    }
    assert.fail(`expected a KeyringError matching ${pattern}`);
  })();
}

Deno.test("parseKeyringJson() reads an object of key id to key text", () => {
  const ring = parseKeyringJson(
    JSON.stringify({ "2026-01": base64Key, "2026-07": hexKey }),
    "ENCRYPTION_KEYS",
  );
  assert.deepEqual([...ring], [["2026-01", base64Key], ["2026-07", hexKey]]);
});

Deno.test("parseKeyringJson() refuses what is not an object of ids to strings, in one line naming the source", async () => {
  await ringError(
    () => parseKeyringJson(`{"a": "${base64Key}"`, "ENCRYPTION_KEYS"),
    /^ENCRYPTION_KEYS is not valid JSON/,
    base64Key,
  );
  await ringError(
    () => parseKeyringJson(`["${base64Key}"]`, "ENCRYPTION_KEYS"),
    /must be a JSON object/,
    base64Key,
  );
  await ringError(() => parseKeyringJson("null", "ENCRYPTION_KEYS"), /must be a JSON object/);
  await ringError(
    () => parseKeyringJson("{}", "ENCRYPTION_KEYS_FILE /k.json"),
    /^ENCRYPTION_KEYS_FILE \/k.json holds no key/,
  );
  await ringError(() => parseKeyringJson('{"a": 7}', "ENCRYPTION_KEYS"), /key "a" must be a string/);
  // A key pasted where the id goes: the message says which entry, not what it holds.
  const swapped = JSON.stringify({ ok: hexKey, [base64Key]: "2026-01" });
  await ringError(
    () => parseKeyringJson(swapped, "ENCRYPTION_KEYS"),
    /the id of entry 2 is not a key id/,
    base64Key,
  );
});

Deno.test("importKeyring() imports every key and picks the active one", async () => {
  const ring = await importKeyring(new Map([["A", base64Key], ["B", hexKey]]), "B", "ENCRYPTION_KEYS");
  assert.equal(ring.activeId, "B");
  assert.deepEqual(ring.ids, ["A", "B"]);
  assert.ok(ring.get("A") instanceof CryptoKey);
  assert.equal(ring.get("A")?.extractable, false);
  assert.equal(ring.get("C"), undefined);
  assert.equal(ring.legacyKey, undefined, "no default key: messages without a key id are not opened");
});

Deno.test("importKeyring() makes a ring of one key active without an active id", async () => {
  const ring = await importKeyring(new Map([[LEGACY_KEY_ID, base64Key]]), undefined, "ENCRYPTION_KEYS");
  assert.equal(ring.activeId, LEGACY_KEY_ID);
  assert.ok(ring.legacyKey instanceof CryptoKey);
});

Deno.test("importKeyring() refuses a wrong key length, a missing or unknown active id, naming no key material", async () => {
  const short = Buffer.alloc(16, 9).toString("base64");
  await ringError(
    () => importKeyring(new Map([["A", base64Key], ["B", short]]), "A", "ENCRYPTION_KEYS"),
    /^ENCRYPTION_KEYS: key "B" must be 32 bytes \(base64\) or 64 hex characters, got 16 bytes$/,
    short,
  );
  await ringError(
    () => importKeyring(new Map([["A", "zz".repeat(32) + "!"]]), "A", "ENCRYPTION_KEYS"),
    /key "A" must be 32 bytes .* neither base64 nor hex/,
    "zzzz",
  );
  await ringError(
    () =>
      importKeyring(
        new Map([["A", base64Key], ["B", hexKey]]),
        undefined,
        "ENCRYPTION_KEYS",
        "ENCRYPTION_ACTIVE_KEY_ID",
      ),
    /^ENCRYPTION_ACTIVE_KEY_ID is not set; with 2 keys in ENCRYPTION_KEYS \(A, B\) it must name the one that seals$/,
  );
  await ringError(
    () => importKeyring(new Map([["A", base64Key]]), "C", "ENCRYPTION_KEYS", "ENCRYPTION_ACTIVE_KEY_ID"),
    /^ENCRYPTION_ACTIVE_KEY_ID "C" is not a key in ENCRYPTION_KEYS \(A\)$/,
  );
  await ringError(
    () =>
      importKeyring(new Map([["A", base64Key]]), base64Key, "ENCRYPTION_KEYS", "ENCRYPTION_ACTIVE_KEY_ID"),
    /ENCRYPTION_ACTIVE_KEY_ID \(44 characters\) is not a key/,
    base64Key,
  );
});

Deno.test("new Keyring() refuses an empty ring, a bad id and an active id it does not hold", async () => {
  await ringError(() => new Keyring(new Map(), "A"), /holds no key/);
  await ringError(() => new Keyring(new Map([["a b", keyA]]), "a b"), /key id must be 1-64 characters/);
  await ringError(() => new Keyring(new Map([["A", keyA]]), "B"), /"B" is not in the ring \(A\)/);
});

Deno.test("sealingKey() gives the active key and counts its encryptions; the others are decrypt-only", () => {
  const ring = new Keyring(new Map([["A", keyA], ["B", keyB]]), "B");
  for (let i = 0; i < 3; i++) assert.deepEqual(ring.sealingKey(), { id: "B", key: keyB });
  assert.deepEqual([...ring.encryptions()], [["B", 3]]);
});

Deno.test("the usage thresholds are 2^31, then every 2^28, well before NIST's 2^32 per key", () => {
  const thresholds = { first: FIRST_USAGE_WARNING, step: USAGE_WARNING_STEP };
  assert.equal(FIRST_USAGE_WARNING, GCM_RANDOM_IV_LIMIT / 2);
  assert.ok(!isUsageThreshold(FIRST_USAGE_WARNING - 1, thresholds));
  assert.ok(isUsageThreshold(2 ** 31, thresholds));
  assert.ok(!isUsageThreshold(2 ** 31 + 1, thresholds));
  assert.ok(isUsageThreshold(2 ** 31 + 2 ** 28, thresholds));
  assert.ok(isUsageThreshold(2 ** 32, thresholds), "and on past the limit");
  assert.ok(isUsageThreshold(2 ** 32 + 2 ** 28, thresholds));
});

Deno.test("sealingKey() tells the listeners at each threshold, once", () => {
  const ring = new Keyring(new Map([["A", keyA]]), "A", { first: 4, step: 3 });
  const heard: [string, number][] = [];
  ring.onUsage((id, n) => heard.push([id, n]));
  for (let i = 0; i < 11; i++) ring.sealingKey();
  assert.deepEqual(heard, [["A", 4], ["A", 7], ["A", 10]]);
});
