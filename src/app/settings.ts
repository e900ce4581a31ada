/**
 * Every setting chain reads: its flag, its environment variable, its default and what it is for, and the
 * `--help` text made from them. README's settings table mirrors this one (tests/shipping_test.ts checks it).
 *
 * @module
 */
import { logLevels } from "../logging/pino_logger.ts";
import { lagDefaultGroups, roles, roleTable } from "./roles.ts";

/** Each role's default HTTP port, as `--help` lists them: "9400 command-center, …, off for the publisher". */
const defaultHttpPorts = Object.entries(roleTable)
  .sort(([, a], [, b]) => Number(a.httpPort === "off") - Number(b.httpPort === "off"))
  .map(([role, spec]) => spec.httpPort === "off" ? `off for the ${role}` : `${spec.httpPort} ${role}`)
  .join(", ");

/** One setting: a flag, usually an environment variable, maybe a default. */
export interface Setting {
  flag: string;
  env?: string;
  default?: string;
  help: string;
  type?: "boolean";
  /** The flag may be given more than once (read with `SettingReader.list`). */
  multiple?: boolean;
}

/** Every setting: its flag, its environment variable, its default and what it is for. README mirrors this. */
export const settings = {
  role: { flag: "role", env: "CHAIN_ROLE", help: roles.join(" | ") },
  brokers: {
    flag: "brokers",
    env: "KAFKA_BROKERS",
    default: "127.0.0.1:9092",
    help: "Kafka bootstrap servers",
  },
  kafkaClient: {
    flag: "kafka-client",
    env: "KAFKA_CLIENT",
    default: "platformatic",
    help: "the roles' Kafka client: platformatic | kafkajs",
  },
  clientId: { flag: "client-id", env: "KAFKA_CLIENT_ID", help: "Kafka client id (default chain-<role>)" },
  groupId: { flag: "group-id", env: "KAFKA_GROUP_ID", help: "consumer group (default: the role's name)" },
  sessionTimeout: {
    flag: "session-timeout-ms",
    env: "KAFKA_SESSION_TIMEOUT_MS",
    default: "2000",
    help:
      "consumer group session timeout: a member silent this long is replaced; heartbeats every quarter of it; the brokers' group.min.session.timeout.ms must allow it",
  },
  instanceId: {
    flag: "instance-id",
    env: "CHAIN_INSTANCE_ID",
    help:
      "the member's static id in its group (KIP-345; platformatic client only; default <host>-<role>-<http port>, or <host>-<role> when the port is 0 or off); unique per replica",
  },
  kafkaTls: { flag: "kafka-tls", env: "KAFKA_TLS", default: "off", help: "on | off: TLS to the brokers" },
  kafkaTlsCaFile: {
    flag: "kafka-tls-ca-file",
    env: "KAFKA_TLS_CA_FILE",
    help: "PEM file of the CA(s) that sign the brokers' certificates (default: the system's trust store)",
  },
  kafkaTlsCertFile: {
    flag: "kafka-tls-cert-file",
    env: "KAFKA_TLS_CERT_FILE",
    help: "PEM client certificate for mutual TLS (with --kafka-tls-key-file)",
  },
  kafkaTlsKeyFile: {
    flag: "kafka-tls-key-file",
    env: "KAFKA_TLS_KEY_FILE",
    help: "PEM private key of the client certificate (unencrypted)",
  },
  kafkaTlsServername: {
    flag: "kafka-tls-servername",
    env: "KAFKA_TLS_SERVERNAME",
    help: "name the brokers' certificates must carry (default: each broker's host); always checked",
  },
  kafkaSaslMechanism: {
    flag: "kafka-sasl-mechanism",
    env: "KAFKA_SASL_MECHANISM",
    help:
      "plain | scram-sha-256 | scram-sha-512 (default: no SASL); the password: KAFKA_SASL_PASSWORD(_FILE)",
  },
  kafkaSaslUsername: { flag: "kafka-sasl-username", env: "KAFKA_SASL_USERNAME", help: "SASL user name" },
  kafkaSaslAllowPlaintext: {
    flag: "kafka-sasl-allow-plaintext",
    env: "KAFKA_SASL_ALLOW_PLAINTEXT",
    default: "off",
    help: "on | off: allow SASL without TLS (the password or its proof crosses the network unencrypted)",
  },
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
  cassandraUsername: {
    flag: "cassandra-username",
    env: "CASSANDRA_USERNAME",
    help: "PasswordAuthenticator user (default: none); the password: CASSANDRA_PASSWORD(_FILE)",
  },
  cassandraTls: { flag: "cassandra-tls", env: "CASSANDRA_TLS", default: "off", help: "on | off: client TLS" },
  cassandraTlsCaFile: {
    flag: "cassandra-tls-ca-file",
    env: "CASSANDRA_TLS_CA_FILE",
    help: "PEM file of the CA(s) that sign the nodes' certificates (default: the system's trust store)",
  },
  cassandraTlsCertFile: {
    flag: "cassandra-tls-cert-file",
    env: "CASSANDRA_TLS_CERT_FILE",
    help: "PEM client certificate, for nodes that require client auth (with --cassandra-tls-key-file)",
  },
  cassandraTlsKeyFile: {
    flag: "cassandra-tls-key-file",
    env: "CASSANDRA_TLS_KEY_FILE",
    help: "PEM private key of the client certificate (unencrypted)",
  },
  cassandraTlsServername: {
    flag: "cassandra-tls-servername",
    env: "CASSANDRA_TLS_SERVERNAME",
    help: "name the nodes' certificates must carry (default: each node's address); always checked",
  },
  cassandraAuthAllowPlaintext: {
    flag: "cassandra-auth-allow-plaintext",
    env: "CASSANDRA_AUTH_ALLOW_PLAINTEXT",
    default: "off",
    help: "on | off: allow a Cassandra password without TLS (it crosses the network in clear)",
  },
  logLevel: { flag: "log-level", env: "LOG_LEVEL", default: "info", help: logLevels.join(" | ") },
  maxMessageBytes: {
    flag: "max-message-bytes",
    env: "MAX_MESSAGE_BYTES",
    default: "1000000",
    help: "larger input messages are dead-lettered as oversize; keep it below the topics' max.message.bytes",
  },
  routes: {
    flag: "routes",
    env: "ROUTES_FILE",
    help: "route registry JSON file (default: the built-in routes.json)",
  },
  routesTopic: {
    flag: "routes-topic",
    env: "ROUTES_TOPIC",
    default: "chain-routes",
    help: "the route registry's compacted topic (seeded from the routes file by init)",
  },
  actor: {
    flag: "actor",
    env: "CHAIN_ACTOR",
    help: "routes: who makes a change, for the route_changes audit table (default: the OS user)",
  },
  targetTopic: { flag: "target-topic", help: "routes set: the route's target topic" },
  routeId: {
    flag: "route-id",
    help: "routes set: the route's id (default: the current one, or route-<worker> for a new route)",
  },
  enabled: {
    flag: "enabled",
    help: "routes set: on | off (default: the current value, or on for a new route)",
  },
  prune: {
    flag: "prune",
    type: "boolean",
    help: "routes diff, apply: a live route the routes file lacks is deleted (without it, kept)",
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
  maxInFlight: {
    flag: "max-in-flight",
    env: "MAX_IN_FLIGHT",
    default: "256",
    help:
      "service-2: orders in hand at once; orders of different request_ids in a partition run concurrently",
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
  smtpStarttls: {
    flag: "smtp-starttls",
    env: "SMTP_STARTTLS",
    default: "opportunistic",
    help: "smtp:// only: required | opportunistic (STARTTLS when the server offers it) | off",
  },
  smtpUsername: {
    flag: "smtp-username",
    env: "SMTP_USERNAME",
    help: "SMTP AUTH user (needs smtps:// or SMTP_STARTTLS=required); the password: SMTP_PASSWORD(_FILE)",
  },
  smtpTlsCaFile: {
    flag: "smtp-tls-ca-file",
    env: "SMTP_TLS_CA_FILE",
    help: "PEM file of the CA(s) that sign the SMTP server's certificate (default: the system's trust store)",
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
  since: {
    flag: "since",
    env: "STATS_SINCE",
    default: "15m",
    help:
      "stats: the window, a number and s | m | h | d, up to 7d; dlq: only dead letters this recent (flag only, up to 365d; default all)",
  },
  route: {
    flag: "route",
    env: "STATS_ROUTE",
    help: "stats: only this route id (- for hops without a route; default: every route and -)",
  },
  json: {
    flag: "json",
    type: "boolean",
    help: "stats, lag, dlq list: print one JSON document instead of a table",
  },
  group: {
    flag: "group",
    env: "LAG_GROUPS",
    multiple: true,
    help: `lag: consumer group, repeatable or a comma list (default: ${lagDefaultGroups.join(", ")})`,
  },
  window: {
    flag: "window",
    env: "LAG_WINDOW",
    default: "2",
    help: "lag: seconds over which three samples are taken to judge each status, 1..300",
  },
  topic: {
    flag: "topic",
    help: "dlq: only this dead-letter topic (default: the command center's, service-1's and service-2's)",
  },
  reason: { flag: "reason", help: "dlq: only dead letters of this chain-dlq-reason (route_disabled, …)" },
  worker: { flag: "worker", help: "dlq: only dead letters of this worker_name" },
  requestId: { flag: "request-id", help: "dlq: only the dead letters of this request_id" },
  yes: {
    flag: "yes",
    type: "boolean",
    help: "dlq replay: publish (without it, a dry run that publishes nothing)",
  },
  again: { flag: "again", type: "boolean", help: "dlq replay: replay dead letters already replayed too" },
  force: {
    flag: "force",
    type: "boolean",
    help: "dlq replay: replay even when the route is still missing or disabled",
  },
  httpPort: {
    flag: "http-port",
    env: "HTTP_PORT",
    help: `/ping, /ready, /metrics: off, 0 (a free port) or a port (default ${defaultHttpPorts})`,
  },
  httpHost: {
    flag: "http-host",
    env: "HTTP_HOST",
    default: "127.0.0.1",
    help: "address the HTTP endpoints bind to; loopback unless set",
  },
} as const satisfies Record<string, Setting>;

/** The name of one of {@link settings}. */
export type SettingName = keyof typeof settings;

/**
 * The secrets besides the key: environment only (a flag would show them in `ps`), each also as `<NAME>_FILE`, a
 * file holding it (one trailing newline dropped). Never logged, never echoed in an error.
 */
export const secretVariables = {
  kafkaSaslPassword: "KAFKA_SASL_PASSWORD",
  cassandraPassword: "CASSANDRA_PASSWORD",
  smtpPassword: "SMTP_PASSWORD",
  httpToken: "HTTP_TOKEN",
} as const;

const secretHelp: Record<keyof typeof secretVariables, string> = {
  kafkaSaslPassword: "Kafka SASL password (with KAFKA_SASL_USERNAME)",
  cassandraPassword: "Cassandra password (with CASSANDRA_USERNAME)",
  smtpPassword: "SMTP AUTH password (with SMTP_USERNAME)",
  httpToken: "bearer token every HTTP path but /ping then requires",
};

/** `ENCRYPTION_KEY` is read from the environment only: a flag would show the key in `ps`. */
export const encryptionKeyVariable = "ENCRYPTION_KEY";
/** The keyring as JSON, key id → key (environment only, as the key). */
export const encryptionKeysVariable = "ENCRYPTION_KEYS";
/** A file holding the keyring's JSON, in place of {@link encryptionKeysVariable}. */
export const encryptionKeysFileVariable = "ENCRYPTION_KEYS_FILE";
/** The id of the ring's key that seals; needed when the ring holds more than one. */
export const encryptionActiveKeyIdVariable = "ENCRYPTION_ACTIVE_KEY_ID";

/** The text of `--help`. */
export function settingsHelp(): string {
  const lines = [
    "usage: chain --role <role> [options]     run one role",
    "       chain trace <request_id>          print a request's hops from the metadata log",
    "       chain init                        create the topics and the Cassandra schema, then exit",
    "       chain stats [--since 15m] [--route ID] [--json]   per route: hops, success, p50/p99, kept rows",
    "       chain lag [--group G] [--window S] [--json]       per group and topic: lag, lag s, status;",
    "                                                         exit 1 unless every status is OK",
    "       chain routes list                 print the live routes (read from the routes topic)",
    "       chain routes set <worker> --target-topic T [--route-id ID] [--enabled on|off]",
    "       chain routes enable|disable|delete <worker>   change a route live; audited in route_changes",
    "       chain routes diff [FILE] [--prune]    the changes apply would publish, one line each; exit 1 if any",
    "       chain routes apply [FILE] [--prune]   publish them, audited; none if one breaks a rule",
    "                                             (FILE: default --routes; --prune: delete live-only routes)",
    "       chain dlq list [--topic T] [--reason R] [--worker W] [--request-id ID] [--since 1h] [--json]",
    "                                         the dead letters, one line each, and counts by reason",
    "       chain dlq replay [same filters] [--yes] [--again] [--force]",
    "                                         replay them to the topic each came from; a dry run without --yes",
    "       chain --help | --version",
    "",
    "options (flag, environment variable, default):",
  ];
  for (const s of Object.values(settings) as Setting[]) {
    const left = `  --${s.flag}${s.type === "boolean" ? "" : " <value>"}`.padEnd(34);
    lines.push(
      `${left}${(s.env ?? "").padEnd(26)}${s.help}${s.default !== undefined ? ` [${s.default}]` : ""}`,
    );
  }
  lines.push(
    `  ${encryptionKeyVariable.padEnd(58)}32 random bytes, base64 (or 64 hex); environment only;`,
    `  ${"".padEnd(58)}publisher, service-1 and service-2 need it, the command center never reads it`,
    `  ${"".padEnd(58)}(it is the keyring's one key, of id "default")`,
    `  ${encryptionKeysVariable.padEnd(58)}the keyring instead: JSON of key id to key (base64 or hex)`,
    `  ${encryptionKeysFileVariable.padEnd(58)}or a file holding that JSON; set one of these three`,
    `  ${encryptionActiveKeyIdVariable.padEnd(58)}the id of the ring's key that seals (the others only open)`,
  );
  for (const [name, variable] of Object.entries(secretVariables)) {
    lines.push(
      `  ${`${variable} | ${variable}_FILE`.padEnd(58)}${
        secretHelp[name as keyof typeof secretVariables]
      }; environment or file only`,
    );
  }
  return lines.join("\n");
}
