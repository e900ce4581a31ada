/**
 * The keyring a service holds: every AES-256 key it may need, by id, one of them active. The active key seals;
 * the others only open, so a new key can be rolled out before it seals anything and an old one kept until
 * nothing sealed with it can still be in flight (README, "Key ids and rotation").
 *
 * The ring is given as JSON, an object of key id → key text (`{"2026-01": "<base64>", "2026-07": "<hex>"}`),
 * in `ENCRYPTION_KEYS` or the file `ENCRYPTION_KEYS_FILE`, with `ENCRYPTION_ACTIVE_KEY_ID` naming the key that
 * seals. The single `ENCRYPTION_KEY` of old is a ring of one key with id {@link LEGACY_KEY_ID}; that key also
 * opens envelopes that carry no key id (the format before key ids).
 *
 * Each key counts the encryptions this process made with it: AES-GCM with random 96-bit IVs is safe for at most
 * 2^32 encryptions per key (NIST SP 800-38D, 8.3), so the ring tells its listeners from 2^31 on, and every 2^28
 * after, that the key is due for rotation.
 *
 * Nothing here ever puts key material in a message: errors name the key id and the shape of what is wrong.
 *
 * @module
 */
import { parseKey } from "./aes_gcm.ts";
import { KEY_ID_PATTERN, KEY_ID_RULE } from "./key_id.ts";

/**
 * The id of the key given as `ENCRYPTION_KEY`, and the key that opens envelopes without a key id: a ring that
 * holds a key with this id accepts today's header-less format.
 */
export const LEGACY_KEY_ID = "default";

/** NIST SP 800-38D's limit of random-IV encryptions under one AES-GCM key. */
export const GCM_RANDOM_IV_LIMIT = 2 ** 32;
/** The first count at which a key's use is reported: half the limit. */
export const FIRST_USAGE_WARNING = 2 ** 31;
/** After the first report, one every this many further encryptions. */
export const USAGE_WARNING_STEP = 2 ** 28;

/** A key of the ring and its id. */
export interface RingKey {
  readonly id: string;
  readonly key: CryptoKey;
}

/** Told when a key's encryption count reaches a reporting threshold. */
export type KeyUsageListener = (keyId: string, encryptions: number) => void;

/** A ring that cannot be used; the message names the setting and the key id, never key material. */
export class KeyringError extends Error {
  override name = "KeyringError";
}

/** When the ring reports a key's use; the defaults are {@link FIRST_USAGE_WARNING} and {@link USAGE_WARNING_STEP}. */
export interface UsageThresholds {
  first: number;
  step: number;
}

/** True when `count` is a count at which a key's use is reported: `first`, then every `step` after. */
export function isUsageThreshold(count: number, thresholds: UsageThresholds): boolean {
  return count >= thresholds.first && (count - thresholds.first) % thresholds.step === 0;
}

/** The keys a service seals and opens with; one is active (seals), the others only open. */
export class Keyring {
  readonly #keys: ReadonlyMap<string, CryptoKey>;
  readonly #active: RingKey;
  readonly #counts = new Map<string, number>();
  readonly #listeners: KeyUsageListener[] = [];
  readonly #thresholds: UsageThresholds;

  /** @throws {KeyringError} if the ring is empty, an id breaks the rule or `activeId` is not in it. */
  constructor(
    keys: ReadonlyMap<string, CryptoKey>,
    activeId: string,
    thresholds: UsageThresholds = { first: FIRST_USAGE_WARNING, step: USAGE_WARNING_STEP },
  ) {
    if (keys.size === 0) throw new KeyringError("the keyring holds no key");
    for (const id of keys.keys()) {
      if (!KEY_ID_PATTERN.test(id)) throw new KeyringError(`a key id must be ${KEY_ID_RULE}`);
    }
    const active = keys.get(activeId);
    if (active === undefined) {
      throw new KeyringError(
        `the active key id "${activeId}" is not in the ring (${[...keys.keys()].join(", ")})`,
      );
    }
    this.#keys = new Map(keys);
    this.#active = { id: activeId, key: active };
    this.#thresholds = thresholds;
  }

  /** The id of the key that seals. */
  get activeId(): string {
    return this.#active.id;
  }

  /** Every key id in the ring, active or not. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  /** The key with `id`, or undefined when the ring does not hold it. */
  get(id: string): CryptoKey | undefined {
    return this.#keys.get(id);
  }

  /** The key that opens envelopes without a key id: the one with id {@link LEGACY_KEY_ID}, if the ring has it. */
  get legacyKey(): CryptoKey | undefined {
    return this.#keys.get(LEGACY_KEY_ID);
  }

  /**
   * The active key, for exactly one encryption: the call counts it, and tells the listeners when the count
   * reaches a reporting threshold.
   */
  sealingKey(): RingKey {
    const { id } = this.#active;
    const count = (this.#counts.get(id) ?? 0) + 1;
    this.#counts.set(id, count);
    if (isUsageThreshold(count, this.#thresholds)) {
      for (const listener of this.#listeners) listener(id, count);
    }
    return this.#active;
  }

  /** Encryptions made by this process with each key that made any (only the active key ever does). */
  encryptions(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  /** Calls `listener` each time a key's count reaches a reporting threshold. */
  onUsage(listener: KeyUsageListener): void {
    this.#listeners.push(listener);
  }
}

/** Where a ring's JSON came from, for error messages: the variable or the file. */
export type RingSource = string;

/**
 * Reads a ring's JSON: an object of key id → key text. Checks the shape and the ids; the keys themselves are
 * checked by {@link importKeyring}.
 *
 * @throws {KeyringError} starting with `source`: not JSON, not an object, empty, an id that breaks the rule or
 * a value that is not a string. The message never quotes the text (JSON parsers do, so theirs is not used).
 */
export function parseKeyringJson(text: string, source: RingSource): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyringError(`${source} is not valid JSON (expected an object of key id to key)`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new KeyringError(`${source} must be a JSON object of key id to key`);
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) throw new KeyringError(`${source} holds no key`);
  const out = new Map<string, string>();
  for (const [index, [id, value]] of entries.entries()) {
    // An id that breaks the rule may be a key pasted in the wrong place: say which entry, not what it says.
    if (!KEY_ID_PATTERN.test(id)) {
      throw new KeyringError(`${source}: the id of entry ${index + 1} is not a key id (${KEY_ID_RULE})`);
    }
    if (typeof value !== "string") {
      throw new KeyringError(`${source}: key "${id}" must be a string (base64 or hex)`);
    }
    out.set(id, value);
  }
  return out;
}

/**
 * Imports every key of `texts` and makes the ring, `activeId` active; without `activeId`, a ring of one key
 * makes that key active.
 *
 * @throws {KeyringError} starting with `source`: a key of the wrong length or not base64/hex (naming its id),
 * no active id for a ring of several keys, or an active id the ring does not hold.
 */
export async function importKeyring(
  texts: ReadonlyMap<string, string>,
  activeId: string | undefined,
  source: RingSource,
  activeSource = "the active key id",
): Promise<Keyring> {
  const keys = new Map<string, CryptoKey>();
  for (const [id, text] of texts) {
    try {
      keys.set(id, await parseKey(text));
    } catch (error) {
      // parseKey's messages describe the text's shape ("must be 32 bytes … got 16 bytes"), never its content.
      throw new KeyringError(`${source}: key "${id}" ${(error as Error).message}`, { cause: error });
    }
  }
  if (activeId === undefined) {
    if (keys.size !== 1) {
      throw new KeyringError(
        `${activeSource} is not set; with ${keys.size} keys in ${source} (${[...keys.keys()].join(", ")}) ` +
          "it must name the one that seals",
      );
    }
    activeId = [...keys.keys()][0];
  }
  if (!keys.has(activeId)) {
    const shown = KEY_ID_PATTERN.test(activeId) ? `"${activeId}"` : `(${activeId.length} characters)`;
    throw new KeyringError(
      `${activeSource} ${shown} is not a key in ${source} (${[...keys.keys()].join(", ")})`,
    );
  }
  return new Keyring(keys, activeId);
}
