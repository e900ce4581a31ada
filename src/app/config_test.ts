import assert from "node:assert/strict";
import {
  type Command,
  ConfigError,
  defaultInstanceId,
  resolveCommand,
  type RunnableCommand,
} from "./config.ts";
import { settings, settingsHelp } from "./settings.ts";

/** A valid key: 32 bytes, base64. */
const key = { ENCRYPTION_KEY: btoa(String.fromCharCode(...new Uint8Array(32).fill(7))) };

type Named<N extends RunnableCommand["name"]> = Extract<Command, { name: N }>;

async function role<N extends RunnableCommand["name"]>(
  name: N,
  args: string[],
  env: Record<string, string> = {},
): Promise<Named<N>> {
  const command = await resolveCommand(args, env);
  assert.equal(command.name, name);
  return command as Named<N>;
}

async function fails(args: string[], env: Record<string, string>, pattern: RegExp) {
  await assert.rejects(() => resolveCommand(args, env), (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes("\n"), "one line");
    return true;
  });
}

Deno.test("resolveCommand() gives the design's topics and local addresses by default", async () => {
  const c = await role("command-center", ["--role", "command-center"]);
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

Deno.test("resolveCommand() lets a flag win over its environment variable, and the variable over the default", async () => {
  const env = { KAFKA_BROKERS: "a:1,b:2", KAFKA_GROUP_ID: "from-env" };
  const cc = ["--role", "command-center"];
  assert.deepEqual((await role("command-center", cc, env)).common.brokers, ["a:1", "b:2"]);
  assert.equal(
    (await role("command-center", [...cc, "--group-id", "from-flag"], env)).common.groupId,
    "from-flag",
  );
  assert.equal((await role("command-center", cc, env)).common.groupId, "from-env");
});

Deno.test("resolveCommand() reads the role from CHAIN_ROLE too", async () => {
  assert.equal((await role("service-1", [], { CHAIN_ROLE: "service-1", ...key })).name, "service-1");
});

Deno.test("resolveCommand() imports ENCRYPTION_KEY for publisher, service-1 and service-2, never for the command center", async () => {
  for (const r of ["publisher", "service-1", "service-2"]) {
    await fails(["--role", r], {}, /ENCRYPTION_KEY is not set/);
    await fails(["--role", r], { ENCRYPTION_KEY: "c2hvcnQ=" }, /^ENCRYPTION_KEY: /);
  }
  const s1 = await role("service-1", ["--role", "service-1"], key);
  assert.deepEqual(s1.keyring.ids, ["default"], "ENCRYPTION_KEY is a ring of one key, of id default");
  assert.equal(s1.keyring.activeId, "default");
  assert.ok(s1.keyring.legacyKey instanceof CryptoKey, "it opens messages without a key id");
  assert.equal(s1.keyring.legacyKey.extractable, false, "the imported key cannot be read back");
  assert.equal((await role("command-center", ["--role", "command-center"])).keyInEnvironment, false);
  assert.equal((await role("command-center", ["--role", "command-center"], key)).keyInEnvironment, true);
});

Deno.test("resolveCommand() loads and checks the command center's routes file", async () => {
  const c = await role("command-center", ["--role", "command-center"]);
  assert.equal(c.registry.get("initial-publisher")?.targetTopic, "service-1-topic");
  await fails(
    ["--role", "command-center", "--routes", "/no/such/routes.json"],
    {},
    /cannot read routes file/,
  );
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      file,
      '{"routes": {"a": {"targetTopic": "command-center-dlq", "enabled": true, "routeId": "r"}}}',
    );
    await fails(["--role", "command-center", "--routes", file], {}, /command-center-dlq/);
    await assert.rejects(
      () => resolveCommand(["--role", "command-center", "--routes", file], {}),
      (e: Error) => {
        assert.ok(e.cause instanceof Error, "the registry's own error is kept as the cause");
        return true;
      },
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("resolveCommand() parses SMTP_URL once for service-2", async () => {
  const c = await role("service-2", ["--role", "service-2"], {
    ...key,
    SMTP_URL: "smtps://mail.example:2465",
  });
  assert.equal(c.smtp.url.hostname, "mail.example");
  assert.equal(c.smtp.url.port, "2465");
  assert.equal(c.smtp.from, "orders@chain.example");
});

Deno.test("resolveCommand() rejects bad values with one line naming the setting", async () => {
  await fails([], {}, /--role is required/);
  await fails(["--role", "router"], {}, /--role must be one of/);
  await fails(
    ["--role", "command-center", "--brokers", "a b"],
    {},
    /--brokers \/ KAFKA_BROKERS: "a b" is not a host:port/,
  );
  await fails(
    ["--role", "command-center"],
    { TOPIC_PARTITIONS: "0" },
    /TOPIC_PARTITIONS must be an integer from 1/,
  );
  await fails(["--role", "command-center"], { TOPIC_PARTITIONS: "2.5" }, /TOPIC_PARTITIONS/);
  await fails(
    ["--role", "command-center"],
    { INBOX_TOPIC: "bad/topic" },
    /INBOX_TOPIC must be a Kafka topic name/,
  );
  await fails(
    ["--role", "command-center"],
    { SERVICE_1_TOPIC: "command-center-inbox" },
    /topics must all differ/,
  );
  await fails(["--role", "command-center"], { LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of/);
  await fails(["--role", "command-center"], { METADATA_LOG: "maybe" }, /METADATA_LOG must be on or off/);
  await fails(["--role", "command-center"], { CASSANDRA_KEYSPACE: "Bad-Name" }, /CASSANDRA_KEYSPACE/);
  await fails(["--role", "command-center"], { CASSANDRA_REPLICATION: "Nope:1" }, /CASSANDRA_REPLICATION/);
  await fails(
    ["--role", "publisher"],
    { ...key, PUBLISH_INVALID_SHARE: "2" },
    /PUBLISH_INVALID_SHARE must be a number/,
  );
  await fails(["--role", "publisher"], { ...key, PUBLISH_RATE: "-1" }, /PUBLISH_RATE/);
  await fails(["--role", "command-center", "--no-such-flag"], {}, /no-such-flag.*see --help/);
  await fails(
    ["--role", "service-2"],
    { ...key, SMTP_URL: "http://mail:25" },
    /--smtp-url \/ SMTP_URL: .*scheme/,
  );
  await fails(["--role", "service-2"], { ...key, MAIL_FROM: "nobody" }, /MAIL_FROM must be an email address/);
});

Deno.test("resolveCommand() parses trace and init", async () => {
  const id = "550E8400-E29B-41D4-A716-446655440000";
  assert.equal((await role("trace", ["trace", id])).requestId, id.toLowerCase());
  await fails(["trace", "not-a-uuid"], {}, /is not a UUID/);
  await fails(["trace"], {}, /usage: chain trace/);
  assert.ok((await role("init", ["init"])).registry.size > 0, "init loads the routes it creates topics for");
  await fails(["explode"], {}, /unknown command "explode"/);
});

Deno.test("resolveCommand() parses stats: the window (default 15m), one route or all, --json", async () => {
  const all = await role("stats", ["stats"]);
  assert.deepEqual([all.sinceMs, all.routeId, all.json], [900_000, undefined, false]);
  assert.ok(all.registry.size > 0, "stats lists the registry's routes");
  const one = await role("stats", ["stats", "--since", "2h", "--route", "route-a", "--json"]);
  assert.deepEqual([one.sinceMs, one.routeId, one.json], [7_200_000, "route-a", true]);
  const fromEnv = await role("stats", ["stats"], { STATS_SINCE: "1d", STATS_ROUTE: "-" });
  assert.deepEqual([fromEnv.sinceMs, fromEnv.routeId], [86_400_000, "-"]);
  await fails(["stats", "--since", "8d"], {}, /^--since \/ STATS_SINCE: must be from 1s to 7d/);
  await fails(["stats", "--since", "soon"], {}, /^--since \/ STATS_SINCE: must be a whole number and a unit/);
  await fails(["stats", "--route", "no/route"], {}, /^--route \/ STATS_ROUTE must be a route id/);
  await fails(["stats", "now"], {}, /^usage: chain stats/);
});

Deno.test("resolveCommand() resolves the publisher's generator options", async () => {
  const c = await role("publisher", [
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
  assert.deepEqual(c.input, { kind: "generated", count: 200, invalidShare: 0.1, seed: 7 });
  assert.equal(c.rate, 50);
  assert.equal(c.progress, "auto");
  await fails(["--role", "publisher", "--input", "/no/such/orders.jsonl"], key, /cannot open \/no\/such/);
});

Deno.test("settingsHelp() lists every flag and environment variable", () => {
  const help = settingsHelp();
  for (const s of Object.values(settings)) {
    assert.ok(help.includes(`--${s.flag}`), s.flag);
    if ("env" in s && s.env) assert.ok(help.includes(s.env), s.env);
  }
  assert.ok(help.includes("ENCRYPTION_KEY"));
});

const keyA = btoa(String.fromCharCode(...new Uint8Array(32).fill(1)));
const keyB = "0b".repeat(32);

Deno.test("resolveCommand() reads the keyring from ENCRYPTION_KEYS or ENCRYPTION_KEYS_FILE with ENCRYPTION_ACTIVE_KEY_ID", async () => {
  const json = JSON.stringify({ "2026-01": keyA, "2026-07": keyB });
  for (const r of ["publisher", "service-1", "service-2"] as const) {
    const c = await role(r, ["--role", r], { ENCRYPTION_KEYS: json, ENCRYPTION_ACTIVE_KEY_ID: "2026-07" });
    assert.deepEqual(c.keyring.ids, ["2026-01", "2026-07"]);
    assert.equal(c.keyring.activeId, "2026-07");
    assert.equal(c.keyring.legacyKey, undefined);
  }
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify({ default: keyA, "2026-07": keyB }) + "\n");
    const c = await role("service-1", ["--role", "service-1"], {
      ENCRYPTION_KEYS_FILE: file,
      ENCRYPTION_ACTIVE_KEY_ID: "default",
    });
    assert.equal(c.keyring.activeId, "default");
    assert.ok(c.keyring.legacyKey, "the old key, as default, still opens messages without a key id");
  } finally {
    await Deno.remove(file);
  }
  const one = await role("service-1", ["--role", "service-1"], {
    ENCRYPTION_KEYS: JSON.stringify({ k: keyA }),
  });
  assert.equal(one.keyring.activeId, "k", "a ring of one key needs no active id");
});

Deno.test("resolveCommand() refuses a bad keyring in one line that shows no key", async () => {
  const s1 = ["--role", "service-1"];
  const both = JSON.stringify({ A: keyA, B: keyB });
  await fails(s1, { ENCRYPTION_KEYS: `{"A": "${keyA}"` }, /^ENCRYPTION_KEYS is not valid JSON/);
  await fails(s1, { ENCRYPTION_KEYS: both }, /^ENCRYPTION_ACTIVE_KEY_ID is not set; with 2 keys/);
  await fails(
    s1,
    { ENCRYPTION_KEYS: both, ENCRYPTION_ACTIVE_KEY_ID: "C" },
    /ENCRYPTION_ACTIVE_KEY_ID "C" is not a key/,
  );
  await fails(s1, {
    ENCRYPTION_KEYS: JSON.stringify({ A: keyA, B: "c2hvcnQ=" }),
    ENCRYPTION_ACTIVE_KEY_ID: "A",
  }, /^ENCRYPTION_KEYS: key "B" must be 32 bytes/);
  await fails(
    s1,
    { ...key, ENCRYPTION_KEYS: both },
    /set one of ENCRYPTION_KEY, ENCRYPTION_KEYS and ENCRYPTION_KEYS_FILE/,
  );
  await fails(s1, { ...key, ENCRYPTION_ACTIVE_KEY_ID: "A" }, /ENCRYPTION_ACTIVE_KEY_ID must be "default"/);
  await fails(
    s1,
    { ENCRYPTION_KEYS_FILE: "/no/such/keys.json" },
    /^cannot read ENCRYPTION_KEYS_FILE \/no\/such\/keys.json/,
  );
  for (
    const env of [
      { ENCRYPTION_KEYS: `{"A": "${keyA}"` },
      { ENCRYPTION_KEYS: JSON.stringify({ A: keyA, B: keyB.slice(2) }), ENCRYPTION_ACTIVE_KEY_ID: "A" },
      { ENCRYPTION_KEYS: JSON.stringify({ [keyA]: keyB }) },
    ]
  ) {
    await assert.rejects(() => resolveCommand(s1, env), (error: unknown) => {
      const message = (error as Error).message;
      assert.ok(!message.includes(keyA) && !message.includes(keyB.slice(2, 40)), message);
      return true;
    });
  }
  const cc = await role("command-center", ["--role", "command-center"], { ENCRYPTION_KEYS: both });
  assert.equal(cc.keyInEnvironment, true, "the command center warns of a keyring it never reads");
});

Deno.test("resolveCommand() gives each replica a static instance id from its host, role and HTTP port unless told", async () => {
  const host = Deno.hostname().replace(/[^A-Za-z0-9._-]/g, "-");
  const cc = ["--role", "command-center"];
  assert.equal((await role("command-center", cc)).common.instanceId, `${host}-command-center-9400`);
  assert.equal(
    (await role("command-center", cc, { HTTP_PORT: "9410" })).common.instanceId,
    `${host}-command-center-9410`,
    "a second replica on this host listens elsewhere, so its id differs",
  );
  assert.equal(
    (await role("command-center", cc, { HTTP_PORT: "0" })).common.instanceId,
    `${host}-command-center`,
  );
  assert.equal(
    (await role("command-center", [...cc, "--instance-id", "cc-a"], { CHAIN_INSTANCE_ID: "cc-b" })).common
      .instanceId,
    "cc-a",
  );
  assert.equal((await role("command-center", cc, { CHAIN_INSTANCE_ID: "cc-b" })).common.instanceId, "cc-b");
  await fails(
    cc,
    { CHAIN_INSTANCE_ID: "cc a" },
    /--instance-id \/ CHAIN_INSTANCE_ID must be 1-249 characters/,
  );
});

Deno.test("defaultInstanceId() keeps only the characters Kafka allows from the host name", () => {
  const on = (port: number) => ({ enabled: true as const, hostname: "127.0.0.1", port });
  assert.equal(defaultInstanceId("web 1.example:x", "service-2", on(9402)), "web-1.example-x-service-2-9402");
  assert.equal(defaultInstanceId("", "service-1", { enabled: false }), "host-service-1");
  assert.equal(defaultInstanceId("h", "service-1", on(0)), "h-service-1");
});

Deno.test("resolveCommand() takes the group session timeout from KAFKA_SESSION_TIMEOUT_MS, 2 s by default", async () => {
  const cc = ["--role", "command-center"];
  assert.equal((await role("command-center", cc)).common.sessionTimeoutMs, 2_000);
  assert.equal(
    (await role("command-center", cc, { KAFKA_SESSION_TIMEOUT_MS: "45000" })).common.sessionTimeoutMs,
    45_000,
  );
  await fails(
    cc,
    { KAFKA_SESSION_TIMEOUT_MS: "500" },
    /--session-timeout-ms \/ KAFKA_SESSION_TIMEOUT_MS must be an integer from 1000/,
  );
});
