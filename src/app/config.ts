/**
 * Resolves what chain was asked to do, once, into a command that holds everything its role needs: the imported
 * `CryptoKey`, the loaded and validated route registry, the parsed SMTP URL, the opened publisher input. Nothing
 * downstream reads flags, the environment or a settings file again, and nothing connects before all of it is
 * checked: a bad value stops the process with one line naming the setting (a {@link ConfigError} carrying the
 * underlying error as its cause).
 *
 * The settings table and `--help` live in settings.ts, the generic parsers in setting_reader.ts.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ConfigError } from "./config_error.ts";
import { type LogLevel, logLevels } from "./log.ts";
import { type Setting, settings } from "./settings.ts";
import { SettingReader } from "./setting_reader.ts";
import { encryptionKeyVariable } from "./settings.ts";
import { type CassandraSettings, parseReplication } from "../cassandra/cassandra_client.ts";
import { checkKeyspaceName } from "../cassandra/schema.ts";
import { parseSmtpUrl } from "../smtp/smtp_mailer.ts";
import { parseKey } from "../envelope/aes_gcm.ts";
import { REQUEST_ID_PATTERN } from "../messaging/names.ts";
import { assertNoLoops, parseRouteRegistry, type RouteRegistry } from "../routing/route_registry.ts";

export { ConfigError } from "./config_error.ts";

/** The roles one `chain` executable can take. */
export const roles = ["publisher", "command-center", "service-1", "service-2"] as const;
/** One of {@link roles}. */
export type Role = typeof roles[number];

/** The Kafka topics of the chain. */
export interface Topics {
  inbox: string;
  commandCenterDlq: string;
  service1: string;
  service1Dlq: string;
  service2: string;
  service2Dlq: string;
}

/** Settings every role and command shares. */
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

/** The publisher's orders: generated, or read as JSON lines from an opened file or stdin. */
export type PublisherInput =
  | { kind: "generated"; count: number; invalidShare: number; seed: number }
  | { kind: "lines"; name: string; stream: ReadableStream<Uint8Array> };

/** What `main` was asked to do, with everything it needs resolved. `name` is the command or the role. */
export type Command =
  | { name: "help" }
  | { name: "version" }
  | RunnableCommand;

/** A command that connects to Kafka or Cassandra: a role, `init` or `trace`. */
export type RunnableCommand =
  | { name: "init"; common: CommonConfig; registry: RouteRegistry }
  | { name: "trace"; common: CommonConfig; requestId: string }
  | {
    name: "command-center";
    common: CommonConfig;
    registry: RouteRegistry;
    metadataLog: { enabled: boolean; bufferRows: number };
    /** ENCRYPTION_KEY is set in its environment: the command center warns, since it never reads it. */
    keyInEnvironment: boolean;
  }
  | { name: "service-1"; common: CommonConfig; key: CryptoKey }
  | { name: "service-2"; common: CommonConfig; key: CryptoKey; smtp: { url: URL; from: string } }
  | {
    name: "publisher";
    common: CommonConfig;
    key: CryptoKey;
    input: PublisherInput;
    rate: number;
    /** Show a progress bar; "auto" shows it when stderr is a terminal. */
    progress: boolean | "auto";
  };

/** The default route registry, shipped beside main.ts (and embedded in the compiled executable). */
export const defaultRoutesFile = new URL("../../routes.json", import.meta.url);

const MAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * Resolves what to do from the command line and the environment, or throws {@link ConfigError}. Reads the
 * routes file and the publisher's input and imports the key, so every mistake shows before a connection.
 */
export async function resolveCommand(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<Command> {
  const { values, positionals } = parseCommandLine(args);
  if (values.help) return { name: "help" };
  if (values.version) return { name: "version" };
  const read = new SettingReader(values, env);
  const [command, ...rest] = positionals;
  if (command === "trace") {
    const requestId = rest[0];
    if (rest.length !== 1 || requestId === undefined) {
      throw new ConfigError("usage: chain trace <request_id>");
    }
    if (!REQUEST_ID_PATTERN.test(requestId)) throw new ConfigError(`trace: "${requestId}" is not a UUID`);
    return { name: "trace", common: resolveCommon(read, "trace"), requestId: requestId.toLowerCase() };
  }
  if (command === "init") {
    if (rest.length !== 0) throw new ConfigError("usage: chain init");
    const common = resolveCommon(read, "init");
    return { name: "init", common, registry: await loadRegistry(read, common.topics) };
  }
  if (command !== undefined) {
    throw new ConfigError(`unknown command "${command}"; commands are trace and init, see --help`);
  }
  const role = read.text("role");
  if (role === undefined) throw new ConfigError(`--role is required: one of ${roles.join(", ")}`);
  if (!isRole(role)) throw new ConfigError(`--role must be one of ${roles.join(", ")}, got "${role}"`);
  const name = role;
  const common = resolveCommon(read, name);
  return await resolveRole[name](read, common);
}

function isRole(text: string): text is Role {
  return (roles as readonly string[]).includes(text);
}

function parseCommandLine(args: string[]) {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "V" },
  };
  for (const s of Object.values(settings) as Setting[]) options[s.flag] = { type: s.type ?? "string" };
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}; see --help`, { cause: error });
  }
}

/** Each role's own settings, on top of the common ones. */
const resolveRole: {
  [R in Role]: (read: SettingReader, common: CommonConfig) => Promise<Extract<RunnableCommand, { name: R }>>;
} = {
  "command-center": async (read, common) => ({
    name: "command-center",
    common,
    registry: await loadRegistry(read, common.topics),
    metadataLog: {
      enabled: read.onOff("metadataLog"),
      bufferRows: read.integer("metadataBuffer", 1, 10_000_000),
    },
    keyInEnvironment: read.secret(encryptionKeyVariable) !== undefined,
  }),
  "service-1": async (read, common) => ({ name: "service-1", common, key: await loadKey(read, "service-1") }),
  "service-2": async (read, common) => {
    const url = read.parsed("smtpUrl", parseSmtpUrl);
    const from = read.text("mailFrom") ?? "";
    if (!MAIL_ADDRESS.test(from)) {
      throw new ConfigError(`--mail-from / MAIL_FROM must be an email address, got "${from}"`);
    }
    return { name: "service-2", common, key: await loadKey(read, "service-2"), smtp: { url, from } };
  },
  publisher: async (read, common) => {
    const rate = read.number("rate", 0, 1_000_000);
    const progress = read.onOffAuto("progress");
    const count = read.integer("count", 0, 100_000_000);
    const invalidShare = read.number("invalidShare", 0, 1);
    const seed = read.text("seed") === undefined
      ? crypto.getRandomValues(new Uint32Array(1))[0]
      : read.integer("seed", 0, 2 ** 32 - 1);
    const key = await loadKey(read, "publisher");
    // Opened last, so no other mistake can leave it open; a wrong path stops the publisher before it connects.
    const input = await openInput(read.text("input"));
    return {
      name: "publisher",
      common,
      key,
      rate,
      progress,
      input: input ?? { kind: "generated", count, invalidShare, seed },
    };
  },
};

function resolveCommon(read: SettingReader, role: string): CommonConfig {
  const topics: Topics = {
    inbox: read.topic("inbox"),
    commandCenterDlq: read.topic("commandCenterDlq"),
    service1: read.topic("service1"),
    service1Dlq: read.topic("service1Dlq"),
    service2: read.topic("service2"),
    service2Dlq: read.topic("service2Dlq"),
  };
  const names = Object.values(topics);
  if (new Set(names).size !== names.length) {
    throw new ConfigError(`the six topics must all differ, got ${names.join(", ")}`);
  }
  return {
    brokers: read.addresses("brokers"),
    clientId: read.kafkaIdentifier("clientId", `chain-${role}`),
    groupId: read.kafkaIdentifier("groupId", role),
    topics,
    topicPartitions: read.integer("topicPartitions", 1, 1000),
    topicReplicationFactor: read.integer("topicReplicationFactor", 1, 10),
    cassandra: {
      contactPoints: read.addresses("contactPoints"),
      localDataCenter: read.text("localDc") || "datacenter1",
      keyspace: read.parsed("keyspace", checkKeyspaceName),
      replication: read.parsed("replication", parseReplication),
    },
    logLevel: read.choice("logLevel", logLevels),
    maxMessageBytes: read.integer("maxMessageBytes", 256, 100 * 1024 * 1024),
  };
}

/** Reads, parses and checks the route registry (no route may lead back into the inbox or a dead-letter topic). */
async function loadRegistry(read: SettingReader, topics: Topics): Promise<RouteRegistry> {
  const file = read.text("routes") ?? defaultRoutesFile.pathname;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new ConfigError(`cannot read routes file ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const registry = parseRouteRegistry(text, file);
    const { inbox, commandCenterDlq, service1Dlq, service2Dlq } = topics;
    assertNoLoops(registry, [inbox, commandCenterDlq, service1Dlq, service2Dlq], file);
    return registry;
  } catch (error) {
    throw new ConfigError((error as Error).message, { cause: error });
  }
}

/** Imports `ENCRYPTION_KEY` (environment only: a flag would show the key in `ps`). */
async function loadKey(read: SettingReader, role: Role): Promise<CryptoKey> {
  const text = read.secret(encryptionKeyVariable);
  if (text === undefined) {
    throw new ConfigError(
      `${encryptionKeyVariable} is not set; ${role} needs the 32-byte key (generate one: openssl rand -base64 32)`,
    );
  }
  try {
    return await parseKey(text);
  } catch (error) {
    // parseKey's messages describe the key's shape, never its bytes.
    throw new ConfigError(`${encryptionKeyVariable}: ${(error as Error).message}`, { cause: error });
  }
}

async function openInput(path: string | undefined): Promise<PublisherInput | undefined> {
  if (path === undefined) return undefined;
  if (path === "-") return { kind: "lines", name: "stdin", stream: Deno.stdin.readable };
  try {
    return { kind: "lines", name: path, stream: (await Deno.open(path)).readable };
  } catch (error) {
    throw new ConfigError(`--input / PUBLISH_INPUT: cannot open ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
