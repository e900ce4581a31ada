import assert from "node:assert/strict";
import { explainError } from "./connection_errors.ts";

function named(name: string, message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name }, fields);
}

Deno.test("a refused Kafka login and an untrusted broker certificate each become one clear line", () => {
  assert.match(
    explainError(named("KafkaJSSASLAuthenticationError", "SASL SCRAM SHA512 authentication failed: bad")),
    /^Kafka refused the SASL login: SASL SCRAM SHA512 authentication failed: bad \(check KAFKA_SASL_USERNAME/,
  );
  assert.match(
    explainError(
      named("KafkaJSNumberOfRetriesExceeded", "Connection error: self-signed certificate in chain"),
    ),
    /^Kafka: TLS failed, the broker's certificate is not trusted: Connection error: self-signed/,
  );
  assert.equal(explainError(named("KafkaJSError", "topic x does not exist")), "topic x does not exist");
});

Deno.test("cassandra-driver's multi-line no-host error becomes the first host's error on one line", () => {
  const auth = named("AuthenticationError", "Provided username chain and/or password are incorrect");
  const noHost = (inner: Error) =>
    named("NoHostAvailableError", "All host(s) tried for query failed.\n  at ...", {
      innerErrors: { "db:9142": inner },
    });
  assert.equal(
    explainError(noHost(auth)),
    "Cassandra db:9142 refused the login: Provided username chain and/or password are incorrect " +
      "(check CASSANDRA_USERNAME and CASSANDRA_PASSWORD)",
  );
  const cert = named("Error", "self-signed certificate in certificate chain\n    at TCPWrap", {
    code: "SELF_SIGNED_CERT_IN_CHAIN",
  });
  assert.match(
    explainError(noHost(cert)),
    /^Cassandra db:9142: TLS failed, .*certificate chain \(check CASSANDRA_TLS/,
  );
  assert.ok(!explainError(noHost(cert)).includes("\n"));
  assert.equal(explainError("plain\ntext"), "plain");
});
