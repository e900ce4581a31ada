import assert from "node:assert/strict";
import { type Command, ConfigError, resolveCommand, settings, settingsHelp } from "./config.ts";

const key = { ENCRYPTION_KEY: "x" };

function role(args: string[], env: Record<string, string> = {}): Extract<Command, { kind: "role" }> {
  const command = resolveCommand(args, env);
  assert.equal(command.kind, "role");
  return command as Extract<Command, { kind: "role" }>;
}

function fails(args: string[], env: Record<string, string>, pattern: RegExp) {
  assert.throws(() => resolveCommand(args, env), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes("\n"), "one line");
    return true;
  });
}

Deno.test("resolveCommand() gives the design's topics and local addresses by default", () => {
  const c = role(["--role", "command-center"]);
  assert.deepEqual(c.common.topics, {
    inbox: "command-center-inbox",
    commandCenterDlq: "command-center-dlq",
    service1: "service-1-topic",
    service1Dlq: "service-1-dlq",
    service2: "service-2-topic",
    service2Dlq: "service-2-dlq",
  });
  assert.deepEqual(c.common.brokers, ["127.0.0.1:9092"]);
  assert.equal(c.common.groupId, "command-center");
  assert.equal(c.common.topicPartitions, 3);
  assert.equal(c.common.cassandra.keyspace, "chain");
});

Deno.test("resolveCommand() lets a flag win over its environment variable, and the variable over the default", () => {
  const env = { KAFKA_BROKERS: "a:1,b:2", KAFKA_GROUP_ID: "from-env" };
  assert.deepEqual(role(["--role", "command-center"], env).common.brokers, ["a:1", "b:2"]);
  assert.equal(
    role(["--role", "command-center", "--group-id", "from-flag"], env).common.groupId,
    "from-flag",
  );
  assert.equal(role(["--role", "command-center"], env).common.groupId, "from-env");
});

Deno.test("resolveCommand() reads the role from CHAIN_ROLE too", () => {
  assert.equal(role([], { CHAIN_ROLE: "service-1", ...key }).role, "service-1");
});

Deno.test("resolveCommand() needs ENCRYPTION_KEY for publisher, service-1 and service-2 but not the command center", () => {
  for (const r of ["publisher", "service-1", "service-2"]) {
    fails(["--role", r], {}, /ENCRYPTION_KEY is not set/);
  }
  assert.equal(role(["--role", "command-center"]).role, "command-center");
});

Deno.test("resolveCommand() rejects bad values with one line naming the setting", () => {
  fails([], {}, /--role is required/);
  fails(["--role", "router"], {}, /--role must be one of/);
  fails(
    ["--role", "command-center", "--brokers", "a b"],
    {},
    /--brokers \/ KAFKA_BROKERS: "a b" is not a host:port/,
  );
  fails(
    ["--role", "command-center"],
    { TOPIC_PARTITIONS: "0" },
    /TOPIC_PARTITIONS must be an integer from 1/,
  );
  fails(["--role", "command-center"], { TOPIC_PARTITIONS: "2.5" }, /TOPIC_PARTITIONS/);
  fails(["--role", "command-center"], { INBOX_TOPIC: "bad/topic" }, /INBOX_TOPIC must be a Kafka topic name/);
  fails(["--role", "command-center"], { SERVICE_1_TOPIC: "command-center-inbox" }, /topics must all differ/);
  fails(["--role", "command-center"], { LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of/);
  fails(["--role", "command-center"], { METADATA_LOG: "maybe" }, /METADATA_LOG must be on or off/);
  fails(["--role", "command-center"], { CASSANDRA_KEYSPACE: "Bad-Name" }, /CASSANDRA_KEYSPACE/);
  fails(["--role", "command-center"], { CASSANDRA_REPLICATION: "Nope:1" }, /CASSANDRA_REPLICATION/);
  fails(
    ["--role", "publisher"],
    { ...key, PUBLISH_INVALID_SHARE: "2" },
    /PUBLISH_INVALID_SHARE must be a number/,
  );
  fails(["--role", "publisher"], { ...key, PUBLISH_RATE: "-1" }, /PUBLISH_RATE/);
  fails(["--role", "command-center", "--no-such-flag"], {}, /no-such-flag.*see --help/);
  fails(["--role", "service-2"], { ...key, SMTP_URL: "http://mail:25" }, /--smtp-url \/ SMTP_URL: .*scheme/);
  fails(["--role", "service-2"], { ...key, MAIL_FROM: "nobody" }, /MAIL_FROM must be an email address/);
});

Deno.test("resolveCommand() parses trace and init", () => {
  const id = "550E8400-E29B-41D4-A716-446655440000";
  assert.deepEqual(
    (resolveCommand(["trace", id], {}) as Extract<Command, { kind: "trace" }>).requestId,
    id.toLowerCase(),
  );
  fails(["trace", "not-a-uuid"], {}, /is not a UUID/);
  fails(["trace"], {}, /usage: chain trace/);
  assert.equal(resolveCommand(["init"], {}).kind, "init");
  fails(["explode"], {}, /unknown command "explode"/);
});

Deno.test("resolveCommand() resolves the publisher's generator options", () => {
  const c = role([
    "--role",
    "publisher",
    "--count",
    "200",
    "--rate",
    "50",
    "--invalid-share",
    "0.1",
    "--seed",
    "7",
  ], key);
  assert.equal(c.role, "publisher");
  if (c.role !== "publisher") return;
  assert.deepEqual(c.publisher, {
    count: 200,
    rate: 50,
    invalidShare: 0.1,
    input: undefined,
    seed: 7,
    progress: "auto",
  });
});

Deno.test("settingsHelp() lists every flag and environment variable", () => {
  const help = settingsHelp();
  for (const s of Object.values(settings)) {
    assert.ok(help.includes(`--${s.flag}`), s.flag);
    if ("env" in s && s.env) assert.ok(help.includes(s.env), s.env);
  }
  assert.ok(help.includes("ENCRYPTION_KEY"));
});
