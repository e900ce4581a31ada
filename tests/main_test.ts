/**
 * main.ts as a user runs it: `deno run <the chain task's permissions> main.ts …`. Bad settings stop it with one
 * line before anything connects (the brokers given here do not exist).
 */
import assert from "node:assert/strict";
import { roleEnv, RoleProcess } from "../support/role_process.ts";

const nowhere = { KAFKA_BROKERS: "127.0.0.1:1", CASSANDRA_CONTACT_POINTS: "127.0.0.1:1" };

async function chain(args: string[], env: Record<string, string> = {}) {
  const p = new RoleProcess("chain", args, roleEnv({ ...nowhere, ...env }));
  const status = await p.finished();
  return { code: status.code, stdout: p.stdout.join("\n"), stderr: p.stderr.join("\n") };
}

Deno.test("chain --help lists the roles and every variable, and exits 0", async () => {
  const { code, stdout } = await chain(["--help"]);
  assert.equal(code, 0);
  for (
    const word of [
      "--role",
      "trace",
      "KAFKA_BROKERS",
      "CASSANDRA_CONTACT_POINTS",
      "ENCRYPTION_KEY",
      "SMTP_URL",
    ]
  ) {
    assert.ok(stdout.includes(word), word);
  }
});

Deno.test("chain --version prints the version and the commit", async () => {
  const { code, stdout } = await chain(["--version"]);
  assert.equal(code, 0);
  assert.match(stdout.trim(), /^chain \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,}|unknown)\)$/);
});

Deno.test("a role without ENCRYPTION_KEY, or with a key of the wrong length, refuses to start in one line", async () => {
  const missing = await chain(["--role", "service-1"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^chain: ENCRYPTION_KEY is not set/);
  const short = await chain(["--role", "service-1"], { ENCRYPTION_KEY: "c2hvcnQta2V5" });
  assert.equal(short.code, 2);
  assert.match(short.stderr, /^chain: ENCRYPTION_KEY: /);
  assert.ok(!short.stderr.includes("c2hvcnQta2V5"), "the key is not echoed");
  assert.equal(short.stderr.trim().split("\n").length, 1);
});

Deno.test("the command center refuses a broken routes file before connecting", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      file,
      '{"routes": {"a": {"targetTopic": "command-center-inbox", "enabled": true, "routeId": "r"}}}',
    );
    const loop = await chain(["--role", "command-center", "--routes", file]);
    assert.equal(loop.code, 2);
    assert.match(loop.stderr, /command-center-inbox/);
    await Deno.writeTextFile(file, "{ not json");
    const broken = await chain(["--role", "command-center", "--routes", file]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /not valid JSON/);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("an unknown flag or role is a one-line usage error", async () => {
  const flag = await chain(["--role", "command-center", "--bogus"]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /bogus/);
  const role = await chain(["--role", "router"]);
  assert.equal(role.code, 2);
  assert.match(role.stderr, /--role must be one of publisher, command-center, service-1, service-2/);
});
