/**
 * The one place that reads flags and the environment. Everything is validated here, before anything connects;
 * a bad value stops the process with one line naming the setting and what is wrong with it.
 *
 * Each setting has a flag and an environment variable; the flag wins. {@link settingsHelp} lists them all.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type LogLevel, logLevels } from "./log.ts";
import { type CassandraSettings, parseReplication } from "../cassandra/cassandra_client.ts";
import { parseSmtpUrl } from "../smtp/smtp_mailer.ts";

/** The roles one `chain` executable can take. */
export const roles = ["publisher", "command-center", "service-1", "service-2"] as const;
/** One of {@link roles}. */
export type Role = typeof roles[number];

/** A setting the user gave that cannot be used; the message is the one line the user sees. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The Kafka topics of the chain. */
export interface Topics {
  inbox: string;
  commandCenterDlq: string;
  service1: string;
  service1Dlq: string;
  service2: string;
  service2Dlq: string;
}

/** Settings every role shares. */
export interface CommonConfig {
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: Topics;
  topicPartitions: number;
  topicReplicationFactor: number;
  cassandra: CassandraSettings;
  logLevel: LogLevel;
  maxMessageBytes: number;
}

/** Settings of the command center. */
export interface RouterConfig {
  routesFile: string;
  metadataLog: boolean;
  metadataBufferRows: number;
}

/** Settings of the publisher. */
export interface PublisherConfig {
  count: number;
  rate: number;
  invalidShare: number;
  input?: string;
  seed: number;
  /** Show a progress bar; "auto" shows it when stderr is a terminal. */
  progress: boolean | "auto";
}

/** Settings of service-2. */
export interface FulfillmentConfig {
  smtpUrl: string;
  mailFrom: string;
}

/** What `main` was asked to do, with everything it needs resolved. */
export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "init"; common: CommonConfig; routesFile: string }
  | { kind: "trace"; common: CommonConfig; requestId: string }
  | { kind: "role"; role: "command-center"; common: CommonConfig; router: RouterConfig }
  | { kind: "role"; role: "service-1"; common: CommonConfig; encryptionKey: string }
  | {
    kind: "role";
    role: "service-2";
    common: CommonConfig;
    encryptionKey: string;
    fulfillment: FulfillmentConfig;
  }
  | {
    kind: "role";
    role: "publisher";
    common: CommonConfig;
    encryptionKey: string;
    publisher: PublisherConfig;
  };

interface Setting {
  flag: string;
  env?: string;
  default?: string;
  help: string;
  type?: "boolean";
}

/** Every setting: its flag, its environment variable, its default and what it is for. README mirrors this. */
export const settings = {
  role: { flag: "role", env: "CHAIN_ROLE", help: "publisher | command-center | service-1 | service-2" },
  brokers: {
    flag: "brokers",
    env: "KAFKA_BROKERS",
    default: "127.0.0.1:9092",
    help: "Kafka bootstrap servers",
  },
  clientId: { flag: "client-id", env: "KAFKA_CLIENT_ID", help: "Kafka client id (default chain-<role>)" },
  groupId: { flag: "group-id", env: "KAFKA_GROUP_ID", help: "consumer group (default: the role's name)" },
  inbox: { flag: "inbox-topic", env: "INBOX_TOPIC", default: "command-center-inbox", help: "the inbox" },
  commandCenterDlq: {
    flag: "dlq-topic",
    env: "COMMAND_CENTER_DLQ_TOPIC",
    default: "command-center-dlq",
    help: "the command center's dead-letter topic",
  },
  service1: {
    flag: "service-1-topic",
    env: "SERVICE_1_TOPIC",
    default: "service-1-topic",
    help: "service-1 input",
  },
  service1Dlq: {
    flag: "service-1-dlq-topic",
    env: "SERVICE_1_DLQ_TOPIC",
    default: "service-1-dlq",
    help: "service-1's dead-letter topic",
  },
  service2: {
    flag: "service-2-topic",
    env: "SERVICE_2_TOPIC",
    default: "service-2-topic",
    help: "service-2 input",
  },
  service2Dlq: {
    flag: "service-2-dlq-topic",
    env: "SERVICE_2_DLQ_TOPIC",
    default: "service-2-dlq",
    help: "service-2's dead-letter topic",
  },
  topicPartitions: {
    flag: "topic-partitions",
    env: "TOPIC_PARTITIONS",
    default: "3",
    help: "partitions of topics chain creates",
  },
  topicReplicationFactor: {
    flag: "topic-replication-factor",
    env: "TOPIC_REPLICATION_FACTOR",
    default: "1",
    help: "replication factor of topics chain creates",
  },
  contactPoints: {
    flag: "contact-points",
    env: "CASSANDRA_CONTACT_POINTS",
    default: "127.0.0.1:9042",
    help: "Cassandra contact points",
  },
  localDc: {
    flag: "local-dc",
    env: "CASSANDRA_LOCAL_DC",
    default: "datacenter1",
    help: "Cassandra local DC",
  },
  keyspace: { flag: "keyspace", env: "CASSANDRA_KEYSPACE", default: "chain", help: "Cassandra keyspace" },
  replication: {
    flag: "replication",
    env: "CASSANDRA_REPLICATION",
    default: "SimpleStrategy:1",
    help: "keyspace replication: SimpleStrategy:N or NetworkTopologyStrategy:dc1=N,dc2=M",
  },
  logLevel: { flag: "log-level", env: "LOG_LEVEL", default: "info", help: logLevels.join(" | ") },
  maxMessageBytes: {
    flag: "max-message-bytes",
    env: "MAX_MESSAGE_BYTES",
    default: "1048576",
    help: "larger inbox messages are dead-lettered as oversize",
  },
  routes: {
    flag: "routes",
    env: "ROUTES_FILE",
    help: "route registry JSON file (default: the built-in routes.json)",
  },
  metadataLog: {
    flag: "metadata-log",
    env: "METADATA_LOG",
    default: "on",
    help: "on | off: write each hop's metadata to Cassandra",
  },
  metadataBuffer: {
    flag: "metadata-buffer",
    env: "METADATA_BUFFER_ROWS",
    default: "50000",
    help: "metadata rows held while Cassandra is slow; beyond it rows are dropped and counted",
  },
  smtpUrl: {
    flag: "smtp-url",
    env: "SMTP_URL",
    default: "smtp://127.0.0.1:2525",
    help: "service-2's SMTP server",
  },
  mailFrom: {
    flag: "mail-from",
    env: "MAIL_FROM",
    default: "orders@chain.example",
    help: "confirmation sender",
  },
  count: { flag: "count", env: "PUBLISH_COUNT", default: "10", help: "publisher: orders to generate" },
  rate: {
    flag: "rate",
    env: "PUBLISH_RATE",
    default: "0",
    help: "publisher: orders per second, 0 = as fast as possible",
  },
  invalidShare: {
    flag: "invalid-share",
    env: "PUBLISH_INVALID_SHARE",
    default: "0",
    help: "publisher: share of generated orders with an invalid amount, 0..1",
  },
  input: { flag: "input", env: "PUBLISH_INPUT", help: "publisher: JSON-lines file of orders, - for stdin" },
  seed: {
    flag: "seed",
    env: "PUBLISH_SEED",
    help: "publisher: seed of the order generator (default: random)",
  },
  progress: {
    flag: "progress",
    env: "PUBLISH_PROGRESS",
    default: "auto",
    help: "publisher: on | off | auto (a TTY)",
  },
} satisfies Record<string, Setting>;

type SettingName = keyof typeof settings;

/** `ENCRYPTION_KEY` is read from the environment only: a flag would show the key in `ps`. */
export const encryptionKeyVariable = "ENCRYPTION_KEY";

/** The text of `--help`. */
export function settingsHelp(): string {
  const lines = [
    "usage: chain --role <role> [options]     run one role",
    "       chain trace <request_id>          print a request's hops from the metadata log",
    "       chain init                        create the topics and the Cassandra schema, then exit",
    "       chain --help | --version",
    "",
    "options (flag, environment variable, default):",
  ];
  for (const s of Object.values(settings) as Setting[]) {
    const left = `  --${s.flag} <value>`.padEnd(34);
    lines.push(
      `${left}${(s.env ?? "").padEnd(26)}${s.help}${s.default !== undefined ? ` [${s.default}]` : ""}`,
    );
  }
  lines.push(
    `  ${encryptionKeyVariable.padEnd(58)}32 random bytes, base64 (or 64 hex); environment only;`,
    `  ${"".padEnd(58)}publisher, service-1 and service-2 need it, the command center never reads it`,
  );
  return lines.join("\n");
}

function options(): Record<string, { type: "string" | "boolean"; short?: string }> {
  const out: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "V" },
  };
  for (const s of Object.values(settings) as Setting[]) out[s.flag] = { type: s.type ?? "string" };
  return out;
}

/** Reads a setting: flag, then environment, then default. */
function reader(values: Record<string, unknown>, env: Record<string, string | undefined>) {
  return (name: SettingName): string | undefined => {
    const s: Setting = settings[name];
    const flag = values[s.flag];
    if (typeof flag === "string") return flag;
    const fromEnv = s.env ? env[s.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    return s.default;
  };
}

function label(name: SettingName): string {
  const s: Setting = settings[name];
  return s.env ? `--${s.flag} / ${s.env}` : `--${s.flag}`;
}

/** Reads a numeric setting within [min, max]; `integerOnly` also refuses fractions. */
function numeric(
  read: (n: SettingName) => string | undefined,
  name: SettingName,
  min: number,
  max: number,
  integerOnly: boolean,
): number {
  const text = read(name) ?? "";
  const value = Number(text);
  const shapeOk = integerOnly
    ? /^-?\d+$/.test(text.trim()) && Number.isSafeInteger(value)
    : text.trim() !== "";
  if (!shapeOk || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(
      `${label(name)} must be ${
        integerOnly ? "an integer" : "a number"
      } from ${min} to ${max}, got "${text}"`,
    );
  }
  return value;
}

const integer = (read: (n: SettingName) => string | undefined, name: SettingName, min: number, max: number) =>
  numeric(read, name, min, max, true);
const number = (read: (n: SettingName) => string | undefined, name: SettingName, min: number, max: number) =>
  numeric(read, name, min, max, false);

function onOff(
  read: (n: SettingName) => string | undefined,
  name: SettingName,
  allowAuto = false,
): boolean | "auto" {
  const text = (read(name) ?? "").toLowerCase();
  if (["on", "true", "1", "yes"].includes(text)) return true;
  if (["off", "false", "0", "no"].includes(text)) return false;
  if (allowAuto && text === "auto") return "auto";
  throw new ConfigError(`${label(name)} must be on or off${allowAuto ? " or auto" : ""}, got "${text}"`);
}

const hostPort = /^[A-Za-z0-9.\-_]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$/;

function addressList(read: (n: SettingName) => string | undefined, name: SettingName): string[] {
  const text = read(name) ?? "";
  const list = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (list.length === 0) throw new ConfigError(`${label(name)} must list at least one host:port`);
  for (const item of list) {
    const port = Number(item.split(":").at(-1));
    if (!hostPort.test(item) || (item.includes(":") && (port < 1 || port > 65535))) {
      throw new ConfigError(`${label(name)}: "${item}" is not a host:port`);
    }
  }
  return list;
}

const topicName = /^[A-Za-z0-9._-]{1,249}$/;

function topic(read: (n: SettingName) => string | undefined, name: SettingName): string {
  const text = read(name) ?? "";
  if (!topicName.test(text) || text === "." || text === "..") {
    throw new ConfigError(
      `${label(name)} must be a Kafka topic name ([A-Za-z0-9._-], 1-249 chars), got "${text}"`,
    );
  }
  return text;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function resolveCommon(read: (n: SettingName) => string | undefined, role: string): CommonConfig {
  const topics: Topics = {
    inbox: topic(read, "inbox"),
    commandCenterDlq: topic(read, "commandCenterDlq"),
    service1: topic(read, "service1"),
    service1Dlq: topic(read, "service1Dlq"),
    service2: topic(read, "service2"),
    service2Dlq: topic(read, "service2Dlq"),
  };
  const names = Object.values(topics);
  if (new Set(names).size !== names.length) {
    throw new ConfigError(`the six topics must all differ, got ${names.join(", ")}`);
  }
  const level = read("logLevel") ?? "";
  if (!(logLevels as readonly string[]).includes(level)) {
    throw new ConfigError(`${label("logLevel")} must be one of ${logLevels.join(", ")}, got "${level}"`);
  }
  let replication;
  try {
    replication = parseReplication(read("replication") ?? "");
  } catch (error) {
    throw new ConfigError(`${label("replication")}: ${(error as Error).message}`);
  }
  const keyspace = read("keyspace") ?? "";
  if (!/^[a-z][a-z0-9_]{0,47}$/.test(keyspace)) {
    throw new ConfigError(
      `${label("keyspace")} must be lower-case letters, digits and _ (max 48), got "${keyspace}"`,
    );
  }
  const clientId = read("clientId") ?? `chain-${role}`;
  const groupId = read("groupId") ?? role;
  for (const [name, value] of [["clientId", clientId], ["groupId", groupId]] as const) {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(value)) {
      throw new ConfigError(`${label(name)} must be 1-249 chars of [A-Za-z0-9._-], got "${value}"`);
    }
  }
  return {
    brokers: addressList(read, "brokers"),
    clientId,
    groupId,
    topics,
    topicPartitions: integer(read, "topicPartitions", 1, 1000),
    topicReplicationFactor: integer(read, "topicReplicationFactor", 1, 10),
    cassandra: {
      contactPoints: addressList(read, "contactPoints"),
      localDataCenter: read("localDc") || "datacenter1",
      keyspace,
      replication,
    },
    logLevel: level as LogLevel,
    maxMessageBytes: integer(read, "maxMessageBytes", 256, 100 * 1024 * 1024),
  };
}

function smtpSettings(read: (n: SettingName) => string | undefined): FulfillmentConfig {
  const smtpUrl = read("smtpUrl") ?? "";
  try {
    parseSmtpUrl(smtpUrl);
  } catch (error) {
    throw new ConfigError(`${label("smtpUrl")}: ${(error as Error).message}`);
  }
  const mailFrom = read("mailFrom") ?? "";
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(mailFrom)) {
    throw new ConfigError(`${label("mailFrom")} must be an email address, got "${mailFrom}"`);
  }
  return { smtpUrl, mailFrom };
}

function encryptionKey(env: Record<string, string | undefined>, role: Role): string {
  const key = env[encryptionKeyVariable];
  if (!key) {
    throw new ConfigError(
      `${encryptionKeyVariable} is not set; ${role} needs the 32-byte key (generate one: openssl rand -base64 32)`,
    );
  }
  return key;
}

/** The default route registry, shipped beside main.ts (and embedded in the compiled executable). */
export const defaultRoutesFile = new URL("../../routes.json", import.meta.url);

/**
 * Resolves what to do from the command line and the environment, or throws {@link ConfigError}.
 *
 * The key's format is checked by the role when it imports the key (src/crypto/aes_gcm.ts), still before any
 * connection is made.
 */
export function resolveCommand(args: string[], env: Record<string, string | undefined>): Command {
  let parsed;
  try {
    parsed = parseArgs({ args, options: options(), allowPositionals: true, strict: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}; see --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const read = reader(values, env);
  const routesFile = read("routes") ?? defaultRoutesFile.pathname;

  if (positionals[0] === "trace") {
    const requestId = positionals[1];
    if (positionals.length !== 2 || requestId === undefined) {
      throw new ConfigError("usage: chain trace <request_id>");
    }
    if (!uuid.test(requestId)) throw new ConfigError(`trace: "${requestId}" is not a UUID`);
    return { kind: "trace", common: resolveCommon(read, "trace"), requestId: requestId.toLowerCase() };
  }
  if (positionals[0] === "init") {
    if (positionals.length !== 1) throw new ConfigError("usage: chain init");
    return { kind: "init", common: resolveCommon(read, "init"), routesFile };
  }
  if (positionals.length > 0) {
    throw new ConfigError(`unknown command "${positionals[0]}"; commands are trace and init, see --help`);
  }

  const roleText = read("role");
  if (roleText === undefined) throw new ConfigError(`--role is required: one of ${roles.join(", ")}`);
  if (!(roles as readonly string[]).includes(roleText)) {
    throw new ConfigError(`--role must be one of ${roles.join(", ")}, got "${roleText}"`);
  }
  const role = roleText as Role;
  const common = resolveCommon(read, role);
  switch (role) {
    case "command-center":
      return {
        kind: "role",
        role,
        common,
        router: {
          routesFile,
          metadataLog: onOff(read, "metadataLog") === true,
          metadataBufferRows: integer(read, "metadataBuffer", 1, 10_000_000),
        },
      };
    case "service-1":
      return { kind: "role", role, common, encryptionKey: encryptionKey(env, role) };
    case "service-2":
      return {
        kind: "role",
        role,
        common,
        encryptionKey: encryptionKey(env, role),
        fulfillment: smtpSettings(read),
      };
    case "publisher": {
      const seedText = read("seed");
      const seed = seedText === undefined
        ? crypto.getRandomValues(new Uint32Array(1))[0]
        : integer(read, "seed", 0, 2 ** 32 - 1);
      return {
        kind: "role",
        role,
        common,
        encryptionKey: encryptionKey(env, role),
        publisher: {
          count: integer(read, "count", 0, 100_000_000),
          rate: number(read, "rate", 0, 1_000_000),
          invalidShare: number(read, "invalidShare", 0, 1),
          input: read("input"),
          seed,
          progress: onOff(read, "progress", true),
        },
      };
    }
  }
}
