/**
 * The security settings, resolved and checked at start-up like every other: Kafka's TLS and SASL, Cassandra's
 * credentials and client TLS, service-2's SMTP TLS and AUTH, and the HTTP bearer token. Files (CAs,
 * certificates, keys, passwords) are read here, so a missing one stops the process with one line before any
 * connection. Secrets come from the environment or a file only, and no message here ever quotes one.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import { label, type SettingReader } from "./setting_reader.ts";
import { secretVariables } from "./settings.ts";
import { type KafkaSecurity, saslMechanisms } from "../kafka/kafka_settings.ts";
import type { CassandraSecurity } from "../cassandra/cassandra_client.ts";

/** The TLS client options common to Kafka and Cassandra. */
type TlsOptions = { ca?: string; cert?: string; key?: string; servername?: string };

const SERVERNAME = /^[A-Za-z0-9.\-_:]+$/;

function tlsOptions(
  read: SettingReader,
  names: {
    on: "kafkaTls" | "cassandraTls";
    ca: "kafkaTlsCaFile" | "cassandraTlsCaFile";
    cert: "kafkaTlsCertFile" | "cassandraTlsCertFile";
    key: "kafkaTlsKeyFile" | "cassandraTlsKeyFile";
    servername: "kafkaTlsServername" | "cassandraTlsServername";
  },
): TlsOptions | undefined {
  const on = read.onOff(names.on);
  const given = [names.ca, names.cert, names.key, names.servername].filter((n) => read.text(n) !== undefined);
  if (!on) {
    if (given.length > 0) {
      throw new ConfigError(
        `${label(given[0])} is set but ${label(names.on)} is off; turn TLS on or unset it`,
      );
    }
    return undefined;
  }
  const ca = read.pemFile(names.ca);
  const cert = read.pemFile(names.cert);
  const key = read.pemFile(names.key);
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(
      `${label(cert === undefined ? names.key : names.cert)} needs ${
        label(cert === undefined ? names.cert : names.key)
      }: a client certificate and its key go together`,
    );
  }
  if (key !== undefined && /ENCRYPTED/.test(key)) {
    throw new ConfigError(
      `${label(names.key)}: the key is encrypted; give an unencrypted PEM key (mode 600)`,
    );
  }
  const servername = read.text(names.servername);
  if (servername !== undefined && !SERVERNAME.test(servername)) {
    throw new ConfigError(`${label(names.servername)} must be a host name, got "${servername}"`);
  }
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(servername !== undefined ? { servername } : {}),
  };
}

/** KAFKA_TLS* and KAFKA_SASL*: one {@link ConfigError} per mistake. */
export function resolveKafkaSecurity(read: SettingReader): KafkaSecurity {
  const tls = tlsOptions(read, {
    on: "kafkaTls",
    ca: "kafkaTlsCaFile",
    cert: "kafkaTlsCertFile",
    key: "kafkaTlsKeyFile",
    servername: "kafkaTlsServername",
  });
  const mechanismText = read.text("kafkaSaslMechanism");
  const username = read.text("kafkaSaslUsername");
  const password = read.secretOrFile(secretVariables.kafkaSaslPassword);
  const allowPlaintext = read.onOff("kafkaSaslAllowPlaintext");
  if (mechanismText === undefined) {
    if (username !== undefined || password !== undefined) {
      throw new ConfigError(
        `${label("kafkaSaslMechanism")} is not set but a SASL user or password is; ` +
          `set it to one of ${saslMechanisms.join(", ")}`,
      );
    }
    return tls ? { tls } : {};
  }
  const mechanism = mechanismText.toLowerCase();
  if (!(saslMechanisms as readonly string[]).includes(mechanism)) {
    throw new ConfigError(
      `${label("kafkaSaslMechanism")} must be one of ${saslMechanisms.join(", ")}, got "${mechanismText}"`,
    );
  }
  if (username === undefined) {
    throw new ConfigError(`${label("kafkaSaslUsername")} is required with ${label("kafkaSaslMechanism")}`);
  }
  if (password === undefined) {
    const v = secretVariables.kafkaSaslPassword;
    throw new ConfigError(`${v} or ${v}_FILE is required with ${label("kafkaSaslMechanism")}`);
  }
  if (!tls && !allowPlaintext) {
    throw new ConfigError(
      `SASL without TLS sends the ${mechanism === "plain" ? "password" : "login"} unencrypted: set ` +
        `${label("kafkaTls")} to on, or ${label("kafkaSaslAllowPlaintext")} to on to allow it`,
    );
  }
  return {
    ...(tls ? { tls } : {}),
    sasl: { mechanism: mechanism as typeof saslMechanisms[number], username, password },
  };
}

/** CASSANDRA_USERNAME, CASSANDRA_PASSWORD(_FILE) and CASSANDRA_TLS*: one {@link ConfigError} per mistake. */
export function resolveCassandraSecurity(read: SettingReader): CassandraSecurity {
  const tls = tlsOptions(read, {
    on: "cassandraTls",
    ca: "cassandraTlsCaFile",
    cert: "cassandraTlsCertFile",
    key: "cassandraTlsKeyFile",
    servername: "cassandraTlsServername",
  });
  const username = read.text("cassandraUsername");
  const password = read.secretOrFile(secretVariables.cassandraPassword);
  const allowPlaintext = read.onOff("cassandraAuthAllowPlaintext");
  if (username === undefined && password === undefined) return tls ? { tls } : {};
  const v = secretVariables.cassandraPassword;
  if (username === undefined) throw new ConfigError(`${v} is set but ${label("cassandraUsername")} is not`);
  if (password === undefined) {
    throw new ConfigError(`${v} or ${v}_FILE is required with ${label("cassandraUsername")}`);
  }
  if (!tls && !allowPlaintext) {
    throw new ConfigError(
      `a Cassandra password without TLS crosses the network in clear: set ${label("cassandraTls")} to on, ` +
        `or ${label("cassandraAuthAllowPlaintext")} to on to allow it`,
    );
  }
  return { ...(tls ? { tls } : {}), auth: { username, password } };
}

/** How service-2 talks to its SMTP server besides the URL. */
export interface SmtpSecurity {
  /** smtp:// only: insist on STARTTLS, use it when offered, or never. */
  starttls: "required" | "opportunistic" | "off";
  auth?: { user: string; pass: string };
  /** PEM CA(s) replacing the system's trust store. */
  ca?: string;
}

/** SMTP_STARTTLS, SMTP_USERNAME, SMTP_PASSWORD(_FILE), SMTP_TLS_CA_FILE, checked against the URL. */
export function resolveSmtpSecurity(read: SettingReader, url: URL): SmtpSecurity {
  const starttls = read.choice("smtpStarttls", ["required", "opportunistic", "off"] as const);
  const user = read.text("smtpUsername");
  const pass = read.secretOrFile(secretVariables.smtpPassword);
  const ca = read.pemFile("smtpTlsCaFile");
  const implicitTls = url.protocol === "smtps:";
  const v = secretVariables.smtpPassword;
  if (user === undefined && pass !== undefined) {
    throw new ConfigError(`${v} is set but ${label("smtpUsername")} is not`);
  }
  if (user !== undefined && url.username !== "") {
    throw new ConfigError(`${label("smtpUsername")} and a user in SMTP_URL: give the user once`);
  }
  if (user !== undefined && pass === undefined) {
    throw new ConfigError(`${v} or ${v}_FILE is required with ${label("smtpUsername")}`);
  }
  if (user !== undefined && !implicitTls && starttls !== "required") {
    throw new ConfigError(
      `SMTP AUTH would send the password without TLS: use smtps:// in SMTP_URL or set ` +
        `${label("smtpStarttls")} to required`,
    );
  }
  if (ca !== undefined && !implicitTls && starttls === "off") {
    throw new ConfigError(`${label("smtpTlsCaFile")} is set but TLS is off (smtp:// with SMTP_STARTTLS=off)`);
  }
  return {
    starttls,
    ...(user !== undefined && pass !== undefined ? { auth: { user, pass } } : {}),
    ...(ca !== undefined ? { ca } : {}),
  };
}

/** HTTP_TOKEN(_FILE): at least 16 characters of visible ASCII, or undefined when not set. */
export function resolveHttpToken(read: SettingReader): string | undefined {
  const token = read.secretOrFile(secretVariables.httpToken);
  if (token === undefined) return undefined;
  if (!/^[\x21-\x7e]{16,4096}$/.test(token)) {
    throw new ConfigError(
      `${secretVariables.httpToken} must be 16 to 4096 visible ASCII characters (e.g. openssl rand -hex 32)`,
    );
  }
  return token;
}
