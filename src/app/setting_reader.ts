/**
 * Reading settings: each value comes from its flag, else its environment variable, else its default, and the
 * generic parsers turn the text into a checked value or a {@link ConfigError} naming the setting.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import { type Setting, type SettingName, settings } from "./settings.ts";
import { isKafkaIdentifier, isTopicName, TOPIC_NAME_RULE } from "../messaging/names.ts";

const HOST_PORT = /^[A-Za-z0-9.\-_]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$/;
const INTEGER = /^-?\d+$/;

/** The parsed command line's values and the environment, read setting by setting. */
export class SettingReader {
  readonly #values: Record<string, unknown>;
  readonly #env: Record<string, string | undefined>;

  constructor(values: Record<string, unknown>, env: Record<string, string | undefined>) {
    this.#values = values;
    this.#env = env;
  }

  /** The text of a setting: its flag, else its (non-empty) variable, else its default, else undefined. */
  text(name: SettingName): string | undefined {
    const s: Setting = settings[name];
    const flag = this.#values[s.flag];
    if (typeof flag === "string") return flag;
    const fromEnv = s.env ? this.#env[s.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    return s.default;
  }

  /** An environment variable that has no flag (a secret such as the key), or undefined when unset or empty. */
  secret(variable: string): string | undefined {
    const value = this.#env[variable];
    return value === "" ? undefined : value;
  }

  /**
   * A secret from `variable` or from the file `<variable>_FILE` names (one trailing newline dropped), or
   * undefined when neither is set. Both set, an unreadable or empty file: a {@link ConfigError} that names the
   * variable and the path, never the secret.
   */
  secretOrFile(variable: string): string | undefined {
    const direct = this.secret(variable);
    const file = this.secret(`${variable}_FILE`);
    if (direct !== undefined && file !== undefined) {
      throw new ConfigError(`set ${variable} or ${variable}_FILE, not both`);
    }
    if (file === undefined) return direct;
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch (error) {
      throw new ConfigError(`${variable}_FILE: cannot read ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const value = text.replace(/\r?\n$/, "");
    if (value === "") throw new ConfigError(`${variable}_FILE: ${file} is empty`);
    return value;
  }

  /**
   * The PEM text of the file a setting names (a CA, a certificate or a key), or undefined when not set; a missing
   * or unreadable file, or one without a PEM block, is a {@link ConfigError} naming the setting and the path.
   */
  pemFile(name: SettingName): string | undefined {
    const path = this.text(name);
    if (path === undefined) return undefined;
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      throw new ConfigError(`${label(name)}: cannot read ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) {
      throw new ConfigError(`${label(name)}: ${path} is not a PEM file (no -----BEGIN ...----- line)`);
    }
    return text;
  }

  /** A whole number within [min, max]. */
  integer(name: SettingName, min: number, max: number): number {
    const text = this.text(name) ?? "";
    const value = Number(text);
    if (!INTEGER.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ConfigError(`${label(name)} must be an integer from ${min} to ${max}, got "${text}"`);
    }
    return value;
  }

  /** A number within [min, max]. */
  number(name: SettingName, min: number, max: number): number {
    const text = this.text(name) ?? "";
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
      throw new ConfigError(`${label(name)} must be a number from ${min} to ${max}, got "${text}"`);
    }
    return value;
  }

  /** on/off (also true/false, 1/0, yes/no). */
  onOff(name: SettingName): boolean {
    const value = this.#switch(name, false);
    return value === true;
  }

  /** on/off/auto. */
  onOffAuto(name: SettingName): boolean | "auto" {
    return this.#switch(name, true);
  }

  #switch(name: SettingName, allowAuto: boolean): boolean | "auto" {
    const text = (this.text(name) ?? "").toLowerCase();
    if (["on", "true", "1", "yes"].includes(text)) return true;
    if (["off", "false", "0", "no"].includes(text)) return false;
    if (allowAuto && text === "auto") return "auto";
    throw new ConfigError(`${label(name)} must be on or off${allowAuto ? " or auto" : ""}, got "${text}"`);
  }

  /** A comma-separated list of at least one `host:port` (or `host`). */
  addresses(name: SettingName): string[] {
    const list = (this.text(name) ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (list.length === 0) throw new ConfigError(`${label(name)} must list at least one host:port`);
    for (const item of list) {
      const port = Number(item.split(":").at(-1));
      if (!HOST_PORT.test(item) || (item.includes(":") && (port < 1 || port > 65535))) {
        throw new ConfigError(`${label(name)}: "${item}" is not a host:port`);
      }
    }
    return list;
  }

  /** A Kafka topic name. */
  topic(name: SettingName): string {
    const text = this.text(name) ?? "";
    if (!isTopicName(text)) throw new ConfigError(`${label(name)} must be ${TOPIC_NAME_RULE}, got "${text}"`);
    return text;
  }

  /**
   * The Kafka ids of a repeatable setting: every `--flag` given (each may be a comma list), else its variable's
   * comma list, else `fallback`; duplicates dropped, order kept.
   */
  kafkaIdentifiers(name: SettingName, fallback: readonly string[]): string[] {
    const s: Setting = settings[name];
    const flag = this.#values[s.flag];
    const given = Array.isArray(flag) ? flag.map(String) : typeof flag === "string" ? [flag] : [];
    const fromEnv = s.env ? this.#env[s.env] : undefined;
    const texts = given.length > 0 ? given : fromEnv !== undefined && fromEnv !== "" ? [fromEnv] : [];
    const items = texts.flatMap((t) => t.split(",")).map((t) => t.trim());
    if (texts.length === 0) return [...fallback];
    for (const item of items) {
      if (!isKafkaIdentifier(item)) {
        throw new ConfigError(`${label(name)} must be 1-249 characters of A-Z a-z 0-9 . _ -, got "${item}"`);
      }
    }
    return [...new Set(items)];
  }

  /** A Kafka client or group id, `fallback` when the setting is not given. */
  kafkaIdentifier(name: SettingName, fallback: string): string {
    const text = this.text(name) ?? fallback;
    if (!isKafkaIdentifier(text)) {
      throw new ConfigError(`${label(name)} must be 1-249 characters of A-Z a-z 0-9 . _ -, got "${text}"`);
    }
    return text;
  }

  /** One of `choices`. */
  choice<T extends string>(name: SettingName, choices: readonly T[]): T {
    const text = this.text(name) ?? "";
    if (!(choices as readonly string[]).includes(text)) {
      throw new ConfigError(`${label(name)} must be one of ${choices.join(", ")}, got "${text}"`);
    }
    return text as T;
  }

  /**
   * Runs `parse` on the setting's text and turns the error it throws into a {@link ConfigError} that names the
   * setting and keeps the error as its cause.
   */
  parsed<T>(name: SettingName, parse: (text: string) => T): T {
    try {
      return parse(this.text(name) ?? "");
    } catch (error) {
      throw new ConfigError(`${label(name)}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** How a setting is named in messages: `--flag / VARIABLE`. */
export function label(name: SettingName): string {
  const s: Setting = settings[name];
  return s.env ? `--${s.flag} / ${s.env}` : `--${s.flag}`;
}
