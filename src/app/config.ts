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
import { type KafkaClientName, kafkaClients } from "../kafka/record_adapters.ts";
import { ConfigError } from "./config_error.ts";
import { type LogLevel, logLevels } from "../logging/pino_logger.ts";
import { type Setting, settings } from "./settings.ts";
import { SettingReader } from "./setting_reader.ts";
import {
  consumerTopics,
  deadLetterSettings,
  defaultGroup,
  defaultHttpPort,
  forbiddenRouteTargets,
  lagDefaultGroups,
  type Role,
  roles,
  type Topics,
  topicSettings,
} from "./roles.ts";
import {
  resolveCassandraSecurity,
  resolveHttpToken,
  resolveKafkaSecurity,
  resolveSmtpSecurity,
  type SmtpSecurity,
} from "./security_config.ts";
import type { KafkaSecurity } from "../kafka/kafka_settings.ts";
import {
  encryptionActiveKeyIdVariable,
  encryptionKeysFileVariable,
  encryptionKeysVariable,
  encryptionKeyVariable,
} from "./settings.ts";
import { type CassandraSettings, parseReplication } from "../cassandra/cassandra_client.ts";
import { checkKeyspaceName, METADATA_TTL_SECONDS } from "../cassandra/schema.ts";
import { parseSmtpUrl } from "../smtp/smtp_mailer.ts";
import { parseKey } from "../envelope/aes_gcm.ts";
import { importKeyring, Keyring, LEGACY_KEY_ID, parseKeyringJson } from "../envelope/keyring.ts";
import { NAME_PATTERN, NAME_RULE, REQUEST_ID_PATTERN } from "../messaging/names.ts";
import { parseDuration } from "../stats/route_stats.ts";
import { assertNoLoops, parseRouteRegistry, type RouteRegistry } from "../routing/route_registry.ts";
import type { RouteRequest } from "../routing/live_route_registry.ts";
import type { DlqRequest } from "../dlq/dlq_command.ts";
import { deadLetterReasons } from "../dlq/dlq_filter.ts";

export { ConfigError } from "./config_error.ts";

/** Settings every role and command shares. */
export interface CommonConfig {
  brokers: string[];
  /** TLS and SASL to the brokers (KAFKA_TLS*, KAFKA_SASL*); holds a secret, never log it. */
  kafkaSecurity: KafkaSecurity;
  clientId: string;
  groupId: string;
  /** The consumer's static group membership id (`group.instance.id`); the kafkajs client has none. */
  instanceId: string;
  /** The consumer group session timeout; heartbeats go every quarter of it. */
  sessionTimeoutMs: number;
  topics: Topics;
  /** The route registry's compacted topic (`chain-routes`). */
  routesTopic: string;
  topicPartitions: number;
  topicReplicationFactor: number;
  cassandra: CassandraSettings;
  logLevel: LogLevel;
  maxMessageBytes: number;
  /** The client behind the roles' record source and sink. */
  kafkaClient: KafkaClientName;
  /** Where `/ping`, `/ready` and `/metrics` are served; off for commands and, by default, the publisher. */
  http: HttpSettings;
}

/** The HTTP endpoint of a role. */
/** `token`: every path but `/ping` then requires `Authorization: Bearer <token>` (HTTP_TOKEN, a secret). */
export type HttpSettings = { enabled: false } | {
  enabled: true;
  hostname: string;
  port: number;
  token?: string;
};

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
  | { name: "init"; common: CommonConfig; registry: RouteRegistry; routesFile: RoutesFile; actor: string }
  | { name: "routes"; common: CommonConfig; actor: string; action: RoutesAction }
  | { name: "trace"; common: CommonConfig; requestId: string }
  | { name: "dlq"; common: CommonConfig; request: DlqRequest }
  /** `groups`: the consumer groups to look at, chain's own (the role names) unless `--group` names others. */
  | { name: "lag"; common: CommonConfig; groups: string[]; windowSeconds: number; json: boolean }
  | {
    name: "stats";
    common: CommonConfig;
    registry: RouteRegistry;
    /** The window: hops routed this many milliseconds before now. */
    sinceMs: number;
    /** Only this route (`-` for hops without a route); every route and `-` when absent. */
    routeId?: string;
    json: boolean;
  }
  | {
    name: "command-center";
    common: CommonConfig;
    registry: RouteRegistry;
    /** Where `registry` was read from: the live routes are compared with it. */
    routesFile: RoutesFile;
    metadataLog: { enabled: boolean; bufferRows: number };
    /** ENCRYPTION_KEY is set in its environment: the command center warns, since it never reads it. */
    keyInEnvironment: boolean;
  }
  | { name: "service-1"; common: CommonConfig; keyring: Keyring }
  | {
    name: "service-2";
    common: CommonConfig;
    keyring: Keyring;
    smtp: { url: URL; from: string; security: SmtpSecurity };
    /** Orders in hand at once, over all its partitions (key ordering: different request_ids concurrently). */
    maxInFlight: number;
  }
  | {
    name: "publisher";
    common: CommonConfig;
    keyring: Keyring;
    input: PublisherInput;
    rate: number;
    /** Show a progress bar; "auto" shows it when stderr is a terminal. */
    progress: boolean | "auto";
  };

/** The default route registry, shipped beside main.ts (and embedded in the compiled executable). */
export const defaultRoutesFile = new URL("../../routes.json", import.meta.url);

/** Where a route registry was read from. */
export interface RoutesFile {
  path: string;
  /** The built-in routes.json (no `--routes`, `ROUTES_FILE` or file argument was given). */
  builtIn: boolean;
}

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
    const { registry, routesFile } = await loadRoutesFile(read, common.topics);
    return { name: "init", common, registry, routesFile, actor: resolveActor(read, env) };
  }
  if (command === "routes") {
    const request = resolveRoutesAction(read, rest, values.prune === true);
    const common = resolveCommon(read, "routes");
    const action: RoutesAction = "file" in request
      ? {
        action: request.action,
        prune: request.prune,
        ...await loadRoutesFile(read, common.topics, request.file),
      }
      : request;
    return { name: "routes", common, actor: resolveActor(read, env), action };
  }
  if (command === "stats") {
    if (rest.length !== 0) throw new ConfigError("usage: chain stats [--since 15m] [--route ID] [--json]");
    const sinceMs = read.parsed("since", (text) => parseDuration(text, METADATA_TTL_SECONDS * 1000));
    const routeId = read.text("route");
    if (routeId !== undefined && !NAME_PATTERN.test(routeId)) {
      throw new ConfigError(`--route / STATS_ROUTE must be a route id (${NAME_RULE}) or -, got "${routeId}"`);
    }
    const common = resolveCommon(read, "stats");
    const registry = await loadRegistry(read, common.topics);
    return { name: "stats", common, registry, sinceMs, routeId, json: values.json === true };
  }
  if (command === "lag") {
    if (rest.length !== 0) throw new ConfigError("usage: chain lag [--group G] [--window S] [--json]");
    const groups = read.kafkaIdentifiers("group", lagDefaultGroups);
    const windowSeconds = read.number("window", 1, 300);
    const common = resolveCommon(read, "lag");
    return { name: "lag", common, groups, windowSeconds, json: values.json === true };
  }
  if (command === "dlq") {
    const common = resolveCommon(read, "dlq");
    return { name: "dlq", common, request: resolveDlqRequest(read, values, rest, common, env) };
  }
  if (command !== undefined) {
    throw new ConfigError(
      `unknown command "${command}"; commands are trace, init, stats, lag, routes and dlq, see --help`,
    );
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
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "V" },
  };
  for (const s of Object.values(settings) as Setting[]) {
    options[s.flag] = { type: s.type ?? "string", ...(s.multiple ? { multiple: true } : {}) };
  }
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
    ...await loadRoutesFile(read, common.topics),
    metadataLog: {
      enabled: read.onOff("metadataLog"),
      bufferRows: read.integer("metadataBuffer", 1, 10_000_000),
    },
    keyInEnvironment: read.secret(encryptionKeyVariable) !== undefined ||
      read.secret(encryptionKeysVariable) !== undefined,
  }),
  "service-1": async (read, common) => ({
    name: "service-1",
    common,
    keyring: await loadKeyring(read, "service-1"),
  }),
  "service-2": async (read, common) => {
    const url = read.parsed("smtpUrl", parseSmtpUrl);
    const from = read.text("mailFrom") ?? "";
    if (!MAIL_ADDRESS.test(from)) {
      throw new ConfigError(`--mail-from / MAIL_FROM must be an email address, got "${from}"`);
    }
    return {
      name: "service-2",
      common,
      keyring: await loadKeyring(read, "service-2"),
      smtp: { url, from, security: resolveSmtpSecurity(read, url) },
      maxInFlight: read.integer("maxInFlight", 1, 100_000),
    };
  },
  publisher: async (read, common) => {
    const rate = read.number("rate", 0, 1_000_000);
    const progress = read.onOffAuto("progress");
    const count = read.integer("count", 0, 100_000_000);
    const invalidShare = read.number("invalidShare", 0, 1);
    const seed = read.text("seed") === undefined
      ? crypto.getRandomValues(new Uint32Array(1))[0]
      : read.integer("seed", 0, 2 ** 32 - 1);
    const keyring = await loadKeyring(read, "publisher");
    // Opened last, so no other mistake can leave it open; a wrong path stops the publisher before it connects.
    const input = await openInput(read.text("input"));
    return {
      name: "publisher",
      common,
      keyring,
      rate,
      progress,
      input: input ?? { kind: "generated", count, invalidShare, seed },
    };
  },
};

/** The number of topics in words, as the messages about them read. */
const COUNT_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

function resolveCommon(read: SettingReader, role: string): CommonConfig {
  const topics = Object.fromEntries(topicSettings.map((name) => [name, read.topic(name)])) as Topics;
  const names = Object.values(topics);
  const count = COUNT_WORDS[names.length] ?? String(names.length);
  if (new Set(names).size !== names.length) {
    throw new ConfigError(`the ${count} topics must all differ, got ${names.join(", ")}`);
  }
  const routesTopic = read.topic("routesTopic");
  if (names.includes(routesTopic)) {
    throw new ConfigError(
      `--routes-topic / ROUTES_TOPIC must differ from the ${count} other topics, got "${routesTopic}"`,
    );
  }
  const http = resolveHttp(read, role);
  return {
    brokers: read.addresses("brokers"),
    kafkaSecurity: resolveKafkaSecurity(read),
    clientId: read.kafkaIdentifier("clientId", `chain-${role}`),
    groupId: read.kafkaIdentifier("groupId", defaultGroup(role)),
    instanceId: read.kafkaIdentifier("instanceId", defaultInstanceId(Deno.hostname(), role, http)),
    sessionTimeoutMs: read.integer("sessionTimeout", 1_000, 300_000),
    topics,
    routesTopic,
    topicPartitions: read.integer("topicPartitions", 1, 1000),
    topicReplicationFactor: read.integer("topicReplicationFactor", 1, 10),
    cassandra: {
      contactPoints: read.addresses("contactPoints"),
      localDataCenter: read.text("localDc") || "datacenter1",
      keyspace: read.parsed("keyspace", checkKeyspaceName),
      replication: read.parsed("replication", parseReplication),
      security: resolveCassandraSecurity(read),
    },
    logLevel: read.choice("logLevel", logLevels),
    maxMessageBytes: read.integer("maxMessageBytes", 256, 100 * 1024 * 1024),
    kafkaClient: read.choice("kafkaClient", kafkaClients),
    http,
  };
}

/**
 * The instance id a replica gets unless told: stable across its restarts, and distinct for two replicas of a role
 * on one host, which must listen on different HTTP ports: `<host>-<role>-<port>`; `<host>-<role>` when the port
 * is 0 (a new one each start) or off. The host name is cut to the characters Kafka allows in an id.
 */
export function defaultInstanceId(hostname: string, role: string, http: HttpSettings): string {
  const host = hostname.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 200) || "host";
  return http.enabled && http.port !== 0 ? `${host}-${role}-${http.port}` : `${host}-${role}`;
}

function resolveHttp(read: SettingReader, role: string): HttpSettings {
  const given = read.text("httpPort");
  const port = given === undefined ? defaultHttpPort(role) : given === "off" ? "off" : read.integer(
    "httpPort",
    0,
    65535,
  );
  if (port === "off") return { enabled: false };
  const token = resolveHttpToken(read);
  return { enabled: true, hostname: read.text("httpHost") ?? "127.0.0.1", port, ...(token ? { token } : {}) };
}

/** Reads, parses and checks the route registry (no route may lead back into the inbox or a dead-letter topic). */
async function loadRegistry(read: SettingReader, topics: Topics): Promise<RouteRegistry> {
  return (await loadRoutesFile(read, topics)).registry;
}

/**
 * {@link loadRegistry}, and where it was read from: `given` (a command's file argument), else `--routes` /
 * `ROUTES_FILE`, else the built-in routes.json.
 */
async function loadRoutesFile(
  read: SettingReader,
  topics: Topics,
  given?: string,
): Promise<{ registry: RouteRegistry; routesFile: RoutesFile }> {
  const named = given ?? read.text("routes");
  const file = named ?? defaultRoutesFile.pathname;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new ConfigError(`cannot read routes file ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const registry = parseRouteRegistry(text, file);
    assertNoLoops(registry, forbiddenRouteTargets(topics), file);
    return { registry, routesFile: { path: file, builtIn: named === undefined } };
  } catch (error) {
    throw new ConfigError((error as Error).message, { cause: error });
  }
}

/**
 * Imports the keyring (environment only: a flag would show a key in `ps`): `ENCRYPTION_KEYS` or the file
 * `ENCRYPTION_KEYS_FILE`, JSON of key id → key, with `ENCRYPTION_ACTIVE_KEY_ID`; or the single `ENCRYPTION_KEY`,
 * a ring of one key of id "default". Exactly one of the three is set.
 */
async function loadKeyring(read: SettingReader, role: Role): Promise<Keyring> {
  const single = read.secret(encryptionKeyVariable);
  const json = read.secret(encryptionKeysVariable);
  const file = read.secret(encryptionKeysFileVariable);
  const activeId = read.secret(encryptionActiveKeyIdVariable)?.trim() || undefined;
  const given = [
    single === undefined ? undefined : encryptionKeyVariable,
    json === undefined ? undefined : encryptionKeysVariable,
    file === undefined ? undefined : encryptionKeysFileVariable,
  ].filter((name) => name !== undefined);
  if (given.length === 0) {
    throw new ConfigError(
      `${encryptionKeyVariable} is not set (nor ${encryptionKeysVariable} or ${encryptionKeysFileVariable}); ` +
        `${role} needs the 32-byte key (generate one: openssl rand -base64 32)`,
    );
  }
  if (given.length > 1) {
    throw new ConfigError(
      `set one of ${encryptionKeyVariable}, ${encryptionKeysVariable} and ${encryptionKeysFileVariable}, ` +
        `not ${given.join(" and ")} (to rotate away from ${encryptionKeyVariable}, put it in the ring as ` +
        `"${LEGACY_KEY_ID}")`,
    );
  }
  if (single !== undefined) {
    if (activeId !== undefined && activeId !== LEGACY_KEY_ID) {
      throw new ConfigError(
        `${encryptionActiveKeyIdVariable} must be "${LEGACY_KEY_ID}" (the id of ${encryptionKeyVariable}) or ` +
          `unset when ${encryptionKeyVariable} is the key; use ${encryptionKeysVariable} for a ring of several keys`,
      );
    }
    try {
      return new Keyring(new Map([[LEGACY_KEY_ID, await parseKey(single)]]), LEGACY_KEY_ID);
    } catch (error) {
      // parseKey's messages describe the key's shape, never its bytes.
      throw new ConfigError(`${encryptionKeyVariable}: ${(error as Error).message}`, { cause: error });
    }
  }
  let text = json;
  let source = encryptionKeysVariable;
  if (file !== undefined) {
    source = `${encryptionKeysFileVariable} ${file}`;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      throw new ConfigError(`cannot read ${source}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    return await importKeyring(
      parseKeyringJson(text ?? "", source),
      activeId,
      source,
      encryptionActiveKeyIdVariable,
    );
  } catch (error) {
    // The ring's messages name the setting, the key id and the shape of what is wrong, never key material.
    throw new ConfigError((error as Error).message, { cause: error });
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

/**
 * What `chain routes` was asked to do. `diff` and `apply` compare the live routes with `registry`, read from
 * `routesFile`; `prune`: a live route the file lacks is deleted (apply) or shown as a deletion (diff).
 */
export type RoutesAction =
  | { action: "list" }
  | RouteRequest
  | { action: "diff" | "apply"; registry: RouteRegistry; routesFile: RoutesFile; prune: boolean };

const ROUTES_USAGE =
  "usage: chain routes list | set <worker> --target-topic T [--route-id ID] [--enabled on|off] | " +
  "enable <worker> | disable <worker> | delete <worker> | diff [FILE] [--prune] | apply [FILE] [--prune]";

/** `chain routes diff|apply [FILE] [--prune]` before the file is read. */
interface RoutesFileRequest {
  action: "diff" | "apply";
  file: string | undefined;
  prune: boolean;
}

/**
 * Parses `chain routes <action> [<worker> | FILE]` and its flags; the change itself is checked against the topic
 * later, and the file of `diff` and `apply` is read by the caller.
 */
function resolveRoutesAction(
  read: SettingReader,
  rest: string[],
  prune: boolean,
): Exclude<RoutesAction, { action: "diff" | "apply" }> | RoutesFileRequest {
  const [action, workerName, ...extra] = rest;
  const setOnly = (["targetTopic", "routeId", "enabled"] as const).filter((name) =>
    read.text(name) !== undefined
  );
  if (prune && action !== "diff" && action !== "apply") {
    throw new ConfigError(
      `${["routes", action].join(" ").trim()}: --prune is for routes diff and apply only`,
    );
  }
  if (action === "diff" || action === "apply") {
    if (extra.length !== 0) throw new ConfigError(ROUTES_USAGE);
    if (setOnly.length > 0) {
      throw new ConfigError(`routes ${action}: --${settings[setOnly[0]].flag} is for routes set only`);
    }
    return { action, file: workerName, prune };
  }
  if (action === "list") {
    if (rest.length !== 1) throw new ConfigError(ROUTES_USAGE);
    return { action };
  }
  if (action !== "set" && action !== "enable" && action !== "disable" && action !== "delete") {
    throw new ConfigError(
      action === undefined ? ROUTES_USAGE : `routes: unknown action "${action}"; ${ROUTES_USAGE}`,
    );
  }
  if (workerName === undefined || extra.length !== 0) throw new ConfigError(ROUTES_USAGE);
  if (!NAME_PATTERN.test(workerName)) {
    throw new ConfigError(`routes ${action}: worker name "${workerName}" must be ${NAME_RULE}`);
  }
  if (action !== "set") {
    if (setOnly.length > 0) {
      throw new ConfigError(`routes ${action}: --${settings[setOnly[0]].flag} is for routes set only`);
    }
    return { action, workerName };
  }
  if (read.text("targetTopic") === undefined) throw new ConfigError("routes set: --target-topic is required");
  const targetTopic = read.topic("targetTopic");
  const routeId = read.text("routeId");
  if (routeId !== undefined && !NAME_PATTERN.test(routeId)) {
    throw new ConfigError(`--route-id must be ${NAME_RULE}, got "${routeId}"`);
  }
  const enabled = read.text("enabled") === undefined ? undefined : read.onOff("enabled");
  return { action, workerName, targetTopic, routeId, enabled };
}

/** Who makes a route change, for the audit table: `--actor` / `CHAIN_ACTOR`, else the OS user. */
function resolveActor(read: SettingReader, env: Record<string, string | undefined>): string {
  const actor = read.text("actor") || env.USER || env.LOGNAME || env.USERNAME || "unknown";
  // deno-lint-ignore no-control-regex
  if (actor.length > 256 || /[\x00-\x1f\x7f]/.test(actor)) {
    throw new ConfigError("--actor / CHAIN_ACTOR must be at most 256 characters, without control characters");
  }
  return actor;
}

const DLQ_USAGE = "usage: chain dlq list|replay [--topic T] [--reason R] [--worker W] [--request-id ID] " +
  "[--since DURATION] [--json (list)] [--yes] [--again] [--force] (replay)";

/** The longest `--since` of `chain dlq`: dead-letter topics may keep records much longer than the metadata log. */
const DLQ_SINCE_MAX_MS = 365 * 86_400_000;

/**
 * Parses `chain dlq list|replay` and its filters: `--topic` must be one of the chain's dead-letter topics,
 * `--reason` a reason chain writes, `--worker` a worker name, `--request-id` a UUID, `--since` a duration (the
 * flag only: STATS_SINCE and its default are `chain stats`'s).
 */
function resolveDlqRequest(
  read: SettingReader,
  values: Record<string, unknown>,
  rest: string[],
  common: CommonConfig,
  env: Record<string, string | undefined>,
): DlqRequest {
  const [action, ...extra] = rest;
  if ((action !== "list" && action !== "replay") || extra.length !== 0) {
    throw new ConfigError(
      action === undefined || action === "list" || action === "replay"
        ? DLQ_USAGE
        : `dlq: unknown action "${action}"; ${DLQ_USAGE}`,
    );
  }
  const flag = (name: string) => values[name] === true;
  for (const name of action === "list" ? ["yes", "again", "force"] : ["json"]) {
    if (flag(name)) {
      throw new ConfigError(
        `dlq ${action}: --${name} is for dlq ${action === "list" ? "replay" : "list"} only`,
      );
    }
  }
  const dlqTopics = deadLetterSettings.map((setting) => common.topics[setting]);
  const topic = read.text("topic");
  if (topic !== undefined && !dlqTopics.includes(topic)) {
    throw new ConfigError(
      `--topic must be one of the dead-letter topics ${dlqTopics.join(", ")}, got "${topic}"`,
    );
  }
  const reason = read.text("reason");
  if (reason !== undefined && !(deadLetterReasons as readonly string[]).includes(reason)) {
    throw new ConfigError(`--reason must be one of ${deadLetterReasons.join(", ")}, got "${reason}"`);
  }
  const workerName = read.text("worker");
  if (workerName !== undefined && !NAME_PATTERN.test(workerName)) {
    throw new ConfigError(`--worker must be a worker name (${NAME_RULE}), got "${workerName}"`);
  }
  const requestId = read.text("requestId");
  if (requestId !== undefined && !REQUEST_ID_PATTERN.test(requestId)) {
    throw new ConfigError(`--request-id must be a UUID, got "${requestId}"`);
  }
  let sinceMs: number | undefined;
  if (typeof values.since === "string") {
    try {
      sinceMs = parseDuration(values.since, DLQ_SINCE_MAX_MS);
    } catch (error) {
      throw new ConfigError(`--since: ${(error as Error).message}`, { cause: error });
    }
  }
  return {
    topics: topic === undefined ? dlqTopics : [topic],
    filter: {
      ...(reason !== undefined ? { reason } : {}),
      ...(workerName !== undefined ? { workerName } : {}),
      ...(requestId !== undefined ? { requestId: requestId.toLowerCase() } : {}),
    },
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    action: action === "list"
      ? { action, json: flag("json") }
      : { action, yes: flag("yes"), again: flag("again"), force: flag("force") },
    actor: resolveActor(read, env),
    inputTopics: new Set(consumerTopics(common.topics).map(({ topic }) => topic)),
  };
}
