import assert from "node:assert/strict";
import { ConfigError, resolveCommand } from "./config.ts";
import { settingsHelp } from "./settings.ts";

const dir = Deno.makeTempDirSync();
const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const keyPem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
const caFile = `${dir}/ca.pem`;
const certFile = `${dir}/client.pem`;
const keyFile = `${dir}/client.key`;
const secret = "pa55-" + crypto.randomUUID();
const passwordFile = `${dir}/password`;
Deno.writeTextFileSync(caFile, pem);
Deno.writeTextFileSync(certFile, pem);
Deno.writeTextFileSync(keyFile, keyPem);
Deno.writeTextFileSync(passwordFile, secret + "\n");
const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const trace = ["trace", "550e8400-e29b-41d4-a716-446655440000"];

async function common(env: Record<string, string>, args: string[] = []) {
  const command = await resolveCommand([...trace, ...args], env);
  assert.ok("common" in command);
  return command.common;
}

/** The one-line message of the ConfigError `env` causes, checked to quote no secret. */
async function mistake(env: Record<string, string>, args: string[] = trace): Promise<string> {
  try {
    await resolveCommand(args, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.ok(!error.message.includes("\n"), error.message);
    assert.ok(!error.message.includes(secret), "the message quotes no secret");
    return error.message;
  }
  throw new Error("no ConfigError");
}

Deno.test("Kafka: plaintext and anonymous unless told, TLS with a CA and mTLS, SASL with a password file", async () => {
  assert.deepEqual((await common({})).kafkaSecurity, {});
  const c = await common({
    KAFKA_TLS: "on",
    KAFKA_TLS_CA_FILE: caFile,
    KAFKA_TLS_CERT_FILE: certFile,
    KAFKA_TLS_KEY_FILE: keyFile,
    KAFKA_TLS_SERVERNAME: "kafka.internal",
    KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
    KAFKA_SASL_USERNAME: "chain",
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
  });
  assert.deepEqual(c.kafkaSecurity, {
    tls: { ca: pem, cert: pem, key: keyPem, servername: "kafka.internal" },
    sasl: { mechanism: "scram-sha-512", username: "chain", password: secret },
  });
  // Flags work for what is not a secret.
  const flags = await common({ KAFKA_SASL_PASSWORD: secret }, [
    "--kafka-tls",
    "on",
    "--kafka-sasl-mechanism",
    "plain",
    "--kafka-sasl-username",
    "u",
  ]);
  assert.deepEqual(flags.kafkaSecurity, {
    tls: {},
    sasl: { mechanism: "plain", username: "u", password: secret },
  });
});

Deno.test("Kafka security mistakes stop the process with one line each", async () => {
  const sasl = {
    KAFKA_SASL_MECHANISM: "scram-sha-256",
    KAFKA_SASL_USERNAME: "chain",
    KAFKA_SASL_PASSWORD: secret,
  };
  assert.match(
    await mistake({ KAFKA_TLS: "on", KAFKA_TLS_CA_FILE: `${dir}/missing.pem` }),
    /^--kafka-tls-ca-file \/ KAFKA_TLS_CA_FILE: cannot read .*missing\.pem/,
  );
  assert.match(await mistake({ KAFKA_TLS: "on", KAFKA_TLS_CA_FILE: passwordFile }), /is not a PEM file/);
  assert.match(
    await mistake({ ...sasl, KAFKA_SASL_MECHANISM: "gssapi" }),
    /must be one of plain, scram-sha-256/,
  );
  assert.match(await mistake(sasl), /SASL without TLS .* KAFKA_TLS to on, or .*KAFKA_SASL_ALLOW_PLAINTEXT/);
  assert.deepEqual(
    (await common({ ...sasl, KAFKA_SASL_ALLOW_PLAINTEXT: "on" })).kafkaSecurity.sasl?.mechanism,
    "scram-sha-256",
  );
  assert.match(
    await mistake({ ...sasl, KAFKA_TLS: "on", KAFKA_SASL_USERNAME: "" }),
    /KAFKA_SASL_USERNAME is required/,
  );
  assert.match(
    await mistake({ ...sasl, KAFKA_TLS: "on", KAFKA_SASL_PASSWORD: "" }),
    /KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required/,
  );
  assert.match(
    await mistake({ ...sasl, KAFKA_TLS: "on", KAFKA_SASL_PASSWORD_FILE: passwordFile }),
    /set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both/,
  );
  assert.match(
    await mistake({
      ...sasl,
      KAFKA_TLS: "on",
      KAFKA_SASL_PASSWORD: "",
      KAFKA_SASL_PASSWORD_FILE: `${dir}/nope`,
    }),
    /KAFKA_SASL_PASSWORD_FILE: cannot read/,
  );
  assert.match(await mistake({ KAFKA_SASL_USERNAME: "chain" }), /KAFKA_SASL_MECHANISM is not set/);
  assert.match(
    await mistake({ KAFKA_TLS_CA_FILE: caFile }),
    /KAFKA_TLS_CA_FILE is set but .*KAFKA_TLS is off/,
  );
  assert.match(
    await mistake({ KAFKA_TLS: "on", KAFKA_TLS_CERT_FILE: certFile }),
    /KAFKA_TLS_KEY_FILE needs .*KAFKA_TLS_CERT_FILE|KAFKA_TLS_CERT_FILE needs .*KAFKA_TLS_KEY_FILE/,
  );
  // The password is never a flag.
  assert.match(await mistake({}, [...trace, "--kafka-sasl-password", secret]), /Unknown option/);
});

Deno.test("Cassandra: credentials and client TLS, with the same checks", async () => {
  const c = await common({
    CASSANDRA_USERNAME: "chain",
    CASSANDRA_PASSWORD_FILE: passwordFile,
    CASSANDRA_TLS: "on",
    CASSANDRA_TLS_CA_FILE: caFile,
  });
  assert.deepEqual(c.cassandra.security, { tls: { ca: pem }, auth: { username: "chain", password: secret } });
  assert.deepEqual((await common({})).cassandra.security, {});
  assert.match(
    await mistake({ CASSANDRA_TLS: "on", CASSANDRA_TLS_CA_FILE: `${dir}/missing.pem` }),
    /CASSANDRA_TLS_CA_FILE: cannot read/,
  );
  assert.match(
    await mistake({ CASSANDRA_USERNAME: "chain", CASSANDRA_PASSWORD: secret }),
    /without TLS .*CASSANDRA_AUTH_ALLOW_PLAINTEXT/,
  );
  assert.match(await mistake({ CASSANDRA_PASSWORD: secret }), /CASSANDRA_USERNAME is not/);
  assert.match(await mistake({ CASSANDRA_USERNAME: "chain", CASSANDRA_TLS: "on" }), /CASSANDRA_PASSWORD or/);
});

Deno.test("SMTP: STARTTLS modes, AUTH only over TLS, the password from the environment or a file", async () => {
  const service2 = (env: Record<string, string>) =>
    resolveCommand(["--role", "service-2"], { ENCRYPTION_KEY: key, ...env });
  const c = await service2({
    SMTP_STARTTLS: "required",
    SMTP_USERNAME: "m",
    SMTP_PASSWORD_FILE: passwordFile,
  });
  assert.ok(c.name === "service-2");
  assert.deepEqual(c.smtp.security, { starttls: "required", auth: { user: "m", pass: secret } });
  const implicit = await service2({
    SMTP_URL: "smtps://mail:465",
    SMTP_USERNAME: "m",
    SMTP_PASSWORD: secret,
  });
  assert.ok(implicit.name === "service-2" && implicit.smtp.security.auth?.pass === secret);
  const role = ["--role", "service-2"];
  const env = { ENCRYPTION_KEY: key, SMTP_USERNAME: "m", SMTP_PASSWORD: secret };
  assert.match(await mistake(env, role), /SMTP AUTH would send the password without TLS/);
  assert.match(
    await mistake({ ...env, SMTP_STARTTLS: "maybe" }, role),
    /SMTP_STARTTLS must be one of required/,
  );
  assert.match(await mistake({ ENCRYPTION_KEY: key, SMTP_PASSWORD: secret }, role), /SMTP_USERNAME is not/);
  assert.match(
    await mistake({ ...env, SMTP_STARTTLS: "required", SMTP_TLS_CA_FILE: `${dir}/x.pem` }, role),
    /SMTP_TLS_CA_FILE: cannot read/,
  );
});

Deno.test("HTTP_TOKEN: from the environment or a file, at least 16 visible characters", async () => {
  const role = ["--role", "command-center"];
  const c = await resolveCommand(role, { HTTP_TOKEN_FILE: passwordFile });
  assert.ok(c.name === "command-center" && c.common.http.enabled && c.common.http.token === secret);
  const open = await resolveCommand(role, {});
  assert.ok(
    open.name === "command-center" && open.common.http.enabled && open.common.http.token === undefined,
  );
  assert.match(await mistake({ HTTP_TOKEN: "short" }, role), /HTTP_TOKEN must be 16 to 4096 visible/);
});

Deno.test("--help names every secret variable and shows no secret from the environment", () => {
  const help = settingsHelp();
  for (const v of ["KAFKA_SASL_PASSWORD", "CASSANDRA_PASSWORD", "SMTP_PASSWORD", "HTTP_TOKEN"]) {
    assert.ok(help.includes(`${v} | ${v}_FILE`), v);
    assert.ok(!help.includes(`--${v.toLowerCase().replaceAll("_", "-")} `), `${v} has no flag`);
  }
  assert.ok(!help.includes(secret));
});
