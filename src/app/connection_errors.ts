/**
 * Turns a failure to reach Kafka or Cassandra into the one line `chain:` prints: a refused login or an
 * untrusted certificate says so and names the settings to check. cassandra-driver's "no host available" carries
 * each host's error inspected over several lines; only the first host's error is kept, on one line. Messages from
 * the clients name users, hosts and mechanisms, never a password (they never see it in text form).
 *
 * @module
 */

const CERTIFICATE =
  /certificate|CERT_|SELF_SIGNED|UNABLE_TO_VERIFY|unknown ?issuer|hostname|altname|TLS|SSL/i;

function firstLine(text: string): string {
  return text.split("\n")[0].trim();
}

function field(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/**
 * Whether `error`, its causes or the errors it groups carry Kafka's error `code` (@platformatic/kafka's `apiId`,
 * kafkajs's `type`).
 */
function carriesKafkaError(error: unknown, code: string, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 6) return false;
  if (field(error, "apiId") === code || field(error, "type") === code) return true;
  const nested = field(error, "errors");
  return carriesKafkaError(field(error, "cause"), code, depth + 1) ||
    (Array.isArray(nested) && nested.some((e) => carriesKafkaError(e, code, depth + 1)));
}

/** One line for `error`, clearer for refused logins, untrusted certificates and a refused session timeout. */
export function explainError(error: unknown): string {
  if (!(error instanceof Error)) return firstLine(String(error));
  if (carriesKafkaError(error, "INVALID_SESSION_TIMEOUT")) {
    return `Kafka refused the consumer group session timeout (INVALID_SESSION_TIMEOUT): the brokers' ` +
      `group.min.session.timeout.ms (6000 unless lowered) is above KAFKA_SESSION_TIMEOUT_MS (default 2000); ` +
      `raise KAFKA_SESSION_TIMEOUT_MS or lower the brokers' floor`;
  }
  // cassandra-driver: NoHostAvailableError { innerErrors: { "host:port": Error } }.
  const inner = field(error, "innerErrors");
  if (inner && typeof inner === "object" && Object.keys(inner).length > 0) {
    const [host, cause] = Object.entries(inner as Record<string, unknown>)[0];
    const message = firstLine(cause instanceof Error ? cause.message : String(cause));
    const code = String(field(cause, "code") ?? "");
    if (cause instanceof Error && cause.name === "AuthenticationError") {
      return `Cassandra ${host} refused the login: ${message} (check CASSANDRA_USERNAME and CASSANDRA_PASSWORD)`;
    }
    if (CERTIFICATE.test(`${code} ${message}`)) {
      return `Cassandra ${host}: TLS failed, the node's certificate is not trusted: ${message} ` +
        `(check CASSANDRA_TLS_CA_FILE and CASSANDRA_TLS_SERVERNAME)`;
    }
    return `Cassandra: no host answered; ${host}: ${message}`;
  }
  const message = firstLine(error.message);
  if (error.name === "KafkaJSSASLAuthenticationError") {
    return `Kafka refused the SASL login: ${message} (check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD)`;
  }
  // After kafkajs's retries the error is KafkaJSNumberOfRetriesExceeded, with the connection error's message.
  if (error.name.startsWith("KafkaJS")) {
    if (CERTIFICATE.test(message) && !/SASL/.test(message)) {
      return `Kafka: TLS failed, the broker's certificate is not trusted: ${message} ` +
        `(check KAFKA_TLS_CA_FILE and KAFKA_TLS_SERVERNAME)`;
    }
  }
  return message;
}
