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

Deno.test("a refused group session timeout, however deep in the consumer's error, becomes one line naming the setting", () => {
  const refused = named(
    "ProtocolError",
    "The session timeout is not within the range allowed by the broker.",
    {
      apiId: "INVALID_SESSION_TIMEOUT",
    },
  );
  const grouped = named("MultipleErrors", "JoinGroup failed.", { errors: [refused] });
  const stopped = new Error("consumer of inbox stopped: JoinGroup failed.", { cause: grouped });
  for (
    const error of [
      stopped,
      named("KafkaJSProtocolError", "The session timeout…", { type: "INVALID_SESSION_TIMEOUT" }),
    ]
  ) {
    const line = explainError(error);
    assert.match(line, /^Kafka refused the consumer group session timeout \(INVALID_SESSION_TIMEOUT\)/);
    assert.match(line, /KAFKA_SESSION_TIMEOUT_MS/);
    assert.doesNotMatch(line, /\n/);
  }
  const other = named("ProtocolError", "rebalancing", { apiId: "REBALANCE_IN_PROGRESS" });
  assert.equal(
    explainError(new Error("consumer of inbox stopped: rebalancing", { cause: other })),
    "consumer of inbox stopped: rebalancing",
  );
});
