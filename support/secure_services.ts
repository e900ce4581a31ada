/**
 * The secured local pair the secure-cluster tests run against, beside the open one (support/local_services.ts):
 *
 * - Kafka 4.1, a KRaft cluster of its own (`.local/services/kafka-secure/`): one SASL_SSL listener on
 *   127.0.0.1:9094 (SCRAM-SHA-512 and SCRAM-SHA-256; users `admin`, for the broker itself, and `chain`, created
 *   when the storage is formatted) and its controller on 127.0.0.1:9095.
 * - Cassandra 5.0, a cluster of its own (`.local/services/cassandra-secure/`): native transport on
 *   127.0.0.1:9142, TLS only, PasswordAuthenticator, storage on 7100; the role `chain` is created at start-up
 *   with the default superuser (a local test node only).
 *
 * A CA and a certificate for 127.0.0.1 and localhost are made with `openssl` on the first start, with a second
 * CA nobody uses (a certificate the brokers do not present: the "untrusted" case) and the random passwords, all
 * in `.local/services/secure/` (mode 600). Start: `deno task services up --secure` (or
 * `CHAIN_SECURE_SERVICES=1 deno task services up`) or {@link secureServicesUp}; idempotent, and quick when up.
 * `deno task services down` stops them too.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import {
  CASSANDRA_TIMER_SLACK_NS,
  cassandraNode,
  down,
  exists,
  kafka,
  run,
  type ServiceSpec,
  type ServiceStatus,
  stateDir,
  status,
  up,
} from "./local_services.ts";
import { routeWarnings } from "./services.ts";
import { Kafka, logLevel } from "kafkajs";
import { createKafka, kafkaSecurityOptions } from "../src/kafka/kafkajs/kafka_client.ts";
import { createCassandraClient } from "../src/cassandra/cassandra_client.ts";
import { createLogger } from "../src/logging/pino_logger.ts";

/** Where the certificates and passwords of the secured pair are. */
export const secureDir = `${stateDir}/secure`;
const root = new URL("../", import.meta.url).pathname;

/** The secured pair's addresses. */
export const secureAddresses = { brokers: "127.0.0.1:9094", contactPoints: "127.0.0.1:9142" } as const;

/** The files of the secured pair; the passwords are each in a file of their own, as a deployment would hold them. */
export const secureFiles = {
  ca: `${secureDir}/ca.pem`,
  /** A CA that signed nothing the services present: trusting only it, a client must refuse them. */
  otherCa: `${secureDir}/other-ca.pem`,
  serverCert: `${secureDir}/server.pem`,
  serverKey: `${secureDir}/server.key`,
  keystore: `${secureDir}/server.p12`,
  kafkaPassword: `${secureDir}/kafka-chain.password`,
  cassandraPassword: `${secureDir}/cassandra-chain.password`,
  secrets: `${secureDir}/secrets.json`,
} as const;

/** The generated secrets (random per machine, made on the first start). */
interface Secrets {
  keystorePassword: string;
  kafkaAdmin: string;
  kafkaChain: string;
  cassandraChain: string;
}

function randomSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(18)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

async function writeSecret(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text, { mode: 0o600 });
  await Deno.chmod(path, 0o600);
}

/** Makes the CAs, the server certificate, its PKCS#12 keystore and the passwords, once. */
async function ensureMaterial(): Promise<Secrets> {
  await Deno.mkdir(secureDir, { recursive: true, mode: 0o700 });
  if (await exists(secureFiles.secrets)) {
    return JSON.parse(await Deno.readTextFile(secureFiles.secrets)) as Secrets;
  }
  const secrets: Secrets = {
    keystorePassword: randomSecret(),
    kafkaAdmin: randomSecret(),
    kafkaChain: randomSecret(),
    cassandraChain: randomSecret(),
  };
  const d = secureDir;
  const ca = (name: string, cn: string) =>
    run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "3650",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-keyout",
      `${d}/${name}.key`,
      "-out",
      `${d}/${name}.pem`,
    ]);
  await ca("ca", "chain local test CA");
  await ca("other-ca", "chain untrusted test CA");
  await run("openssl", [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-sha256",
    "-subj",
    "/CN=localhost",
    "-keyout",
    secureFiles.serverKey,
    "-out",
    `${d}/server.csr`,
  ]);
  await Deno.writeTextFile(
    `${d}/server.ext`,
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n" +
      "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  await run("openssl", [
    "x509",
    "-req",
    "-sha256",
    "-days",
    "3650",
    "-in",
    `${d}/server.csr`,
    "-CA",
    secureFiles.ca,
    "-CAkey",
    `${d}/ca.key`,
    "-CAcreateserial",
    "-extfile",
    `${d}/server.ext`,
    "-out",
    secureFiles.serverCert,
  ]);
  // The keystore password goes through the environment, not the command line.
  const output = await new Deno.Command("openssl", {
    args: [
      "pkcs12",
      "-export",
      "-in",
      secureFiles.serverCert,
      "-inkey",
      secureFiles.serverKey,
      "-certfile",
      secureFiles.ca,
      "-name",
      "server",
      "-passout",
      "env:CHAIN_KEYSTORE_PASSWORD",
      "-out",
      secureFiles.keystore,
    ],
    env: { CHAIN_KEYSTORE_PASSWORD: secrets.keystorePassword },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!output.success) throw new Error(`openssl pkcs12 failed: ${new TextDecoder().decode(output.stderr)}`);
  for (const file of ["ca.key", "other-ca.key", "server.key", "server.p12"]) {
    await Deno.chmod(`${d}/${file}`, 0o600);
  }
  await writeSecret(secureFiles.kafkaPassword, secrets.kafkaChain);
  await writeSecret(secureFiles.cassandraPassword, secrets.cassandraChain);
  // Written last: its presence means everything above is there.
  await writeSecret(secureFiles.secrets, JSON.stringify(secrets));
  return secrets;
}

function jaas(password: string): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${password}";`;
}

function kafkaProperties(dir: string, s: Secrets): string {
  return [
    "# The secured local Kafka (support/secure_services.ts): SASL_SSL only, SCRAM users made at format time.",
    "process.roles=broker,controller",
    "node.id=1",
    "controller.quorum.voters=1@127.0.0.1:9095",
    "listeners=SASL_SSL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095",
    "advertised.listeners=SASL_SSL://127.0.0.1:9094",
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name=SASL_SSL",
    "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
    "sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256",
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas(s.kafkaAdmin)}`,
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${jaas(s.kafkaAdmin)}`,
    "ssl.keystore.type=PKCS12",
    `ssl.keystore.location=${secureFiles.keystore}`,
    `ssl.keystore.password=${s.keystorePassword}`,
    `ssl.key.password=${s.keystorePassword}`,
    "ssl.truststore.type=PEM",
    `ssl.truststore.location=${secureFiles.ca}`,
    "ssl.client.auth=none",
    `log.dirs=${dir}/data`,
    "num.partitions=3",
    "default.replication.factor=1",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=3",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    // chain's consumers ask for a 2 s session (KAFKA_SESSION_TIMEOUT_MS); Kafka's floor is 6 s unless lowered.
    "group.min.session.timeout.ms=1000",
    "auto.create.topics.enable=false",
    "num.network.threads=2",
    "num.io.threads=4",
    "log.retention.hours=24",
    "log.segment.bytes=67108864",
    "",
  ].join("\n");
}

/** The settings that point chain (and support's clients) at the secured pair, passwords by file. */
export function secureServiceEnv(): Record<string, string> {
  return {
    KAFKA_BROKERS: secureAddresses.brokers,
    KAFKA_TLS: "on",
    KAFKA_TLS_CA_FILE: secureFiles.ca,
    KAFKA_SASL_MECHANISM: "scram-sha-512",
    KAFKA_SASL_USERNAME: "chain",
    KAFKA_SASL_PASSWORD_FILE: secureFiles.kafkaPassword,
    CASSANDRA_CONTACT_POINTS: secureAddresses.contactPoints,
    CASSANDRA_LOCAL_DC: "datacenter1",
    CASSANDRA_USERNAME: "chain",
    CASSANDRA_PASSWORD_FILE: secureFiles.cassandraPassword,
    CASSANDRA_TLS: "on",
    CASSANDRA_TLS_CA_FILE: secureFiles.ca,
  };
}

/** Every secret of the secured pair (for tests that check no output shows one). */
export async function secureSecrets(): Promise<string[]> {
  return Object.values(await ensureMaterial());
}

/** The secured Kafka, as the `chain` user over SASL_SSL, with chain's own client factory. */
export async function secureKafkaClient(clientId: string) {
  routeWarnings();
  const s = await ensureMaterial();
  return createKafka({
    brokers: [secureAddresses.brokers],
    clientId,
    security: {
      tls: { ca: await Deno.readTextFile(secureFiles.ca) },
      sasl: { mechanism: "scram-sha-512", username: "chain", password: s.kafkaChain },
    },
  }, createLogger("silent", { role: clientId }));
}

/** The secured Cassandra, as `username` over TLS, with chain's own client factory. */
export async function secureCassandraClient(
  username = "chain",
  password?: string,
): Promise<cassandra.Client> {
  const s = await ensureMaterial();
  return createCassandraClient({
    contactPoints: [secureAddresses.contactPoints],
    localDataCenter: "datacenter1",
    security: {
      auth: { username, password: password ?? s.cassandraChain },
      tls: { ca: await Deno.readTextFile(secureFiles.ca) },
    },
  });
}

const kafkaSecure: ServiceSpec = {
  name: "kafka-secure",
  pom: "kafka",
  externalVar: "CHAIN_SECURE_KAFKA_EXTERNAL",
  defaultAddress: secureAddresses.brokers,
  readyTimeoutMs: 120_000,
  async prepare(dir, classpath) {
    const s = await ensureMaterial();
    await Deno.mkdir(`${dir}/data`, { recursive: true });
    await writeSecret(`${dir}/server.properties`, kafkaProperties(dir, s));
    if (await exists(`${dir}/data/meta.properties`)) return;
    const java = [
      "-Xmx256m",
      "-cp",
      classpath,
      `-Dlog4j2.configurationFile=${root}services/kafka/log4j2.properties`,
      `-Dchain.kafka.log=${dir}/format.log`,
      "kafka.tools.StorageTool",
    ];
    const clusterId = (await run("java", [...java, "random-uuid"])).trim().split("\n").at(-1)!;
    const scram = (user: string, password: string) =>
      ["SCRAM-SHA-512", "SCRAM-SHA-256"].flatMap((
        m,
      ) => ["--add-scram", `${m}=[name=${user},password=${password}]`]);
    await run("java", [
      ...java,
      "format",
      "-t",
      clusterId,
      "-c",
      `${dir}/server.properties`,
      ...scram("admin", s.kafkaAdmin),
      ...scram("chain", s.kafkaChain),
    ]);
  },
  javaArgs(dir, classpath) {
    return kafka.javaArgs(dir, classpath);
  },
  async probe() {
    routeWarnings();
    const s = await ensureMaterial();
    const client = new Kafka({
      clientId: "chain-services",
      brokers: [secureAddresses.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2000,
      retry: { retries: 0 },
      ...kafkaSecurityOptions({
        tls: { ca: await Deno.readTextFile(secureFiles.ca) },
        sasl: { mechanism: "scram-sha-512", username: "chain", password: s.kafkaChain },
      }),
    });
    const admin = client.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return `SASL_SSL, cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)`;
    } finally {
      await admin.disconnect();
    }
  },
};

const cassandraSecure: ServiceSpec = {
  name: "cassandra-secure",
  pom: "cassandra",
  externalVar: "CHAIN_SECURE_CASSANDRA_EXTERNAL",
  defaultAddress: secureAddresses.contactPoints,
  readyTimeoutMs: 180_000,
  timerSlackNs: CASSANDRA_TIMER_SLACK_NS,
  async prepare(dir) {
    const s = await ensureMaterial();
    const template = await Deno.readTextFile(`${root}services/cassandra/cassandra.yaml`);
    const replace = (text: string, from: string, to: string) => {
      if (!text.includes(from)) throw new Error(`services/cassandra/cassandra.yaml has no "${from}"`);
      return text.replaceAll(from, to);
    };
    let yaml = template.replaceAll("{{DIR}}", dir);
    yaml = replace(yaml, "cluster_name: chain-local", "cluster_name: chain-local-secure");
    yaml = replace(yaml, "storage_port: 7000", "storage_port: 7100");
    yaml = replace(yaml, "127.0.0.1:7000", "127.0.0.1:7100");
    yaml = replace(yaml, "native_transport_port: 9042", "native_transport_port: 9142");
    yaml += [
      "",
      "# The secured node (support/secure_services.ts): passwords and client TLS only.",
      "authenticator: PasswordAuthenticator",
      "client_encryption_options:",
      "  enabled: true",
      "  optional: false",
      `  keystore: ${secureFiles.keystore}`,
      `  keystore_password: ${s.keystorePassword}`,
      "  store_type: PKCS12",
      "  require_client_auth: false",
      "",
    ].join("\n");
    await Deno.mkdir(dir, { recursive: true });
    await writeSecret(`${dir}/cassandra.yaml`, yaml);
  },
  javaArgs(dir, classpath) {
    const args = cassandraNode.javaArgs(dir, classpath);
    // The default superuser exists at once (not after 10 s), so the start-up can create chain's role.
    args.splice(args.indexOf("-cp"), 0, "-Dcassandra.superuser_setup_delay_ms=0");
    return args;
  },
  async probe() {
    const s = await ensureMaterial();
    let client = await secureCassandraClient();
    try {
      await client.connect();
    } catch (error) {
      await client.shutdown();
      if (!/password|authenticat/i.test(String((error as Error).message))) throw error;
      // A fresh node: chain's role does not exist yet. The default superuser makes it (local test node only).
      const admin = await secureCassandraClient("cassandra", "cassandra");
      try {
        await admin.execute(
          `CREATE ROLE IF NOT EXISTS chain WITH PASSWORD = '${s.cassandraChain}' AND LOGIN = true`,
        );
      } finally {
        await admin.shutdown();
      }
      client = await secureCassandraClient();
      await client.connect();
    }
    try {
      const result = await client.execute("SELECT release_version FROM system.local");
      return `TLS + PasswordAuthenticator, Cassandra ${result.first()?.get("release_version")}`;
    } finally {
      await client.shutdown();
    }
  },
};

const secureServices: readonly ServiceSpec[] = [kafkaSecure, cassandraSecure];

/** Whether `CHAIN_SECURE_SERVICES` asks `services up` for the secured pair too. */
export function secureServicesWanted(): boolean {
  return ["1", "on", "true", "yes"].includes((Deno.env.get("CHAIN_SECURE_SERVICES") ?? "").toLowerCase());
}

/** Brings the secured pair up (idempotent; quick when up); resolves with one line per service. */
export async function secureServicesUp(): Promise<string[]> {
  await Deno.mkdir(stateDir, { recursive: true });
  await ensureMaterial();
  const results = await Promise.allSettled(secureServices.map(up));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failures.length > 0) {
    throw new Error(
      failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join("\n"),
    );
  }
  return results.map((r) => (r as PromiseFulfilledResult<string>).value);
}

/** Stops the secured pair (only what chain started). */
export function secureServicesDown(): Promise<string[]> {
  return Promise.all(secureServices.map(down));
}

/** Where each secured service is and whether it answers. */
export function secureServicesStatus(): Promise<ServiceStatus[]> {
  return Promise.all(secureServices.map(status));
}
