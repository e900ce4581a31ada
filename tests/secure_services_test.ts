/**
 * The whole chain against the secured local pair (support/secure_services.ts, started here if it is not up):
 * Kafka over SASL_SSL with SCRAM-SHA-512, Cassandra with PasswordAuthenticator over TLS, and service-2 mailing
 * the SMTP sink over required STARTTLS with AUTH; every role a process with the HTTP token set. Then a wrong
 * password and an untrusted certificate, for Kafka and for Cassandra, each fail with one `chain:` line and a
 * non-zero exit. No secret appears in any output of any process.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { roleEnv, RoleProcess, topicEnv } from "../support/role_process.ts";
import { uniqueName } from "../support/services.ts";
import { startSmtpSink } from "../support/smtp_sink.ts";
import {
  secureCassandraClient,
  secureFiles,
  secureSecrets,
  secureServiceEnv,
  secureServicesUp,
} from "../support/secure_services.ts";

const ORDERS = 40;

await secureServicesUp();
const secrets = await secureSecrets();
const smtpPassword = "smtp-" + crypto.randomUUID();
const httpToken = "token-" + crypto.randomUUID();
const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
const allSecrets = [...secrets, smtpPassword, httpToken, key];

function assertNoSecret(p: RoleProcess): void {
  const output = [...p.stdout, ...p.stderr].join("\n");
  for (const s of allSecrets) assert.ok(!output.includes(s), `${p.name}'s output shows a secret`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test({
  name: "the chain runs end to end on SASL_SSL Kafka, TLS + password Cassandra and STARTTLS + AUTH SMTP",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const id = uniqueName("secure");
    const keyspace = id.replaceAll("-", "_");
    const topics = topicEnv(id);
    const routesFile = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(
      routesFile,
      JSON.stringify({
        routes: {
          "initial-publisher": { targetTopic: topics.SERVICE_1_TOPIC, enabled: true, routeId: "route-p-s1" },
          "service-1-publisher": {
            targetTopic: topics.SERVICE_2_TOPIC,
            enabled: true,
            routeId: "route-s1-s2",
          },
        },
      }),
    );
    const smtp = await startSmtpSink({
      auth: { user: "chain-mail", pass: smtpPassword },
      tls: {
        key: await Deno.readTextFile(secureFiles.serverKey),
        cert: await Deno.readTextFile(secureFiles.serverCert),
      },
    });
    const common = {
      ...topics,
      ...secureServiceEnv(),
      CASSANDRA_KEYSPACE: keyspace,
      ROUTES_FILE: routesFile,
      LOG_LEVEL: "info",
      HTTP_PORT: "0",
      HTTP_TOKEN: httpToken,
    };
    const withKey = { ...common, ENCRYPTION_KEY: key };
    const roles: RoleProcess[] = [];
    const start = (name: string, args: string[], env: Record<string, string>) => {
      const p = new RoleProcess(name, args, roleEnv({ ...env, KAFKA_GROUP_ID: `${id}-${name}` }));
      roles.push(p);
      return p;
    };
    const cassandra = await secureCassandraClient();
    try {
      const init = start("init", ["init"], common);
      assert.equal((await init.finished()).code, 0, init.tail());
      const commandCenter = start("command-center", ["--role", "command-center"], common);
      start("service-1", ["--role", "service-1"], withKey);
      start("service-2", ["--role", "service-2"], {
        ...withKey,
        SMTP_URL: smtp.url,
        SMTP_STARTTLS: "required",
        SMTP_USERNAME: "chain-mail",
        SMTP_PASSWORD: smtpPassword,
        SMTP_TLS_CA_FILE: secureFiles.ca,
      });
      await commandCenter.waitForStderr(/command center routing/);
      const publisher = start(
        "publisher",
        ["--role", "publisher", "--count", String(ORDERS), "--invalid-share", "0.2", "--seed", "7"],
        withKey,
      );
      assert.equal((await publisher.finished()).code, 0, publisher.tail());
      assert.equal(publisher.stdout.filter((line) => line.trim() !== "").length, ORDERS);
      const rows = await until("every order fulfilled or rejected", async () => {
        const result = await cassandra.execute(`SELECT status FROM ${keyspace}.orders`);
        return result.rows.length >= ORDERS ? result.rows : undefined;
      });
      const fulfilled = rows.filter((r) => r.get("status") === "fulfilled").length;
      assert.equal(rows.length, ORDERS);
      assert.ok(fulfilled > 0 && fulfilled < ORDERS, `fulfilled ${fulfilled} of ${ORDERS}`);
      await until(
        "a mail per fulfilled order",
        () =>
          Promise.resolve(
            new Set(smtp.messages().map((m) => m.requestId)).size >= fulfilled ? true : undefined,
          ),
      );
      const hops = await cassandra.execute(`SELECT count(*) AS n FROM ${keyspace}.routing_metadata`);
      assert.ok(Number(hops.first().get("n")) >= ORDERS * 2, "the command center logged its hops");
    } finally {
      for (const p of roles) await p.stop();
      await cassandra.shutdown();
      await smtp.close();
      await Deno.remove(routesFile);
    }
    for (const p of roles) assertNoSecret(p);
  },
});

/** Runs `chain <args>` with the secured settings changed by `change`; returns the process once it has exited. */
async function failing(name: string, args: string[], change: Record<string, string>): Promise<RoleProcess> {
  const p = new RoleProcess(name, args, roleEnv({ ...secureServiceEnv(), LOG_LEVEL: "info", ...change }));
  const status = await p.finished();
  assert.notEqual(status.code, 0, `${name} exits non-zero`);
  assertNoSecret(p);
  return p;
}

function lastLine(p: RoleProcess): string {
  return p.stderr.filter((l) => l.trim() !== "").at(-1) ?? "";
}

Deno.test({
  name: "a wrong password or an untrusted certificate fails with one clear line, a non-zero exit, no secret",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const wrong = "wrong-" + crypto.randomUUID();
    allSecrets.push(wrong);
    const trace = ["trace", crypto.randomUUID()];
    const lag = ["lag", "--window", "1"];
    await t.step("Kafka, wrong SASL password", async () => {
      const p = await failing("kafka-password", lag, {
        KAFKA_SASL_PASSWORD_FILE: "",
        KAFKA_SASL_PASSWORD: wrong,
      });
      assert.match(lastLine(p), /^chain: Kafka refused the SASL login: .*\(check KAFKA_SASL_USERNAME/);
    });
    await t.step("Kafka, a CA that did not sign the broker's certificate", async () => {
      const p = await failing("kafka-ca", lag, { KAFKA_TLS_CA_FILE: secureFiles.otherCa });
      assert.match(lastLine(p), /^chain: Kafka: TLS failed, the broker's certificate is not trusted: /);
    });
    await t.step("Cassandra, wrong password", async () => {
      const p = await failing("cassandra-password", trace, {
        CASSANDRA_PASSWORD_FILE: "",
        CASSANDRA_PASSWORD: wrong,
      });
      assert.match(lastLine(p), /^chain: Cassandra 127\.0\.0\.1:9142 refused the login: /);
    });
    await t.step("Cassandra, a CA that did not sign the node's certificate", async () => {
      const p = await failing("cassandra-ca", trace, { CASSANDRA_TLS_CA_FILE: secureFiles.otherCa });
      assert.match(
        lastLine(p),
        /^chain: Cassandra 127\.0\.0\.1:9142: TLS failed, the node's certificate is not trusted/,
      );
    });
    await t.step("a missing CA file stops the role before it connects (exit 2)", async () => {
      const p = new RoleProcess(
        "missing-ca",
        ["--role", "command-center"],
        roleEnv({
          ...secureServiceEnv(),
          KAFKA_TLS_CA_FILE: "/nonexistent/ca.pem",
        }),
      );
      assert.equal((await p.finished()).code, 2);
      assert.deepEqual(p.stderr.filter((l) => l.trim() !== "").length, 1);
      assert.match(
        lastLine(p),
        /^chain: --kafka-tls-ca-file \/ KAFKA_TLS_CA_FILE: cannot read \/nonexistent\/ca\.pem/,
      );
      assertNoSecret(p);
    });
  },
});
