import assert from "node:assert/strict";
import { type Command, ConfigError, resolveCommand } from "./config.ts";

type Dlq = Extract<Command, { name: "dlq" }>;

async function dlq(args: string[], env: Record<string, string> = {}): Promise<Dlq> {
  const command = await resolveCommand(["dlq", ...args], env);
  assert.equal(command.name, "dlq");
  return command as Dlq;
}

Deno.test("chain dlq list reads the three dead-letter topics with no filter by default", async () => {
  const c = await dlq(["list"], { USER: "ana", STATS_SINCE: "1h" });
  assert.deepEqual(c.request.topics, ["command-center-dlq", "service-1-dlq", "service-2-dlq"]);
  assert.deepEqual(c.request.filter, {});
  assert.equal(c.request.sinceMs, undefined, "STATS_SINCE is chain stats's, not dlq's");
  assert.deepEqual(c.request.action, { action: "list", json: false });
  assert.equal(c.request.actor, "ana");
  assert.deepEqual([...c.request.inputTopics], [
    "command-center-inbox",
    "service-1-topic",
    "service-2-topic",
  ]);
  assert.equal(c.common.http.enabled, false);
});

Deno.test("chain dlq replay takes the filters and --yes, --again, --force; a dry run by default", async () => {
  const c = await dlq([
    "replay",
    "--topic",
    "service-2-dlq",
    "--reason",
    "permanent_failure",
    "--worker",
    "service-1-publisher",
    "--request-id",
    "550E8400-E29B-41D4-A716-446655440000",
    "--since",
    "2h",
    "--yes",
    "--force",
  ]);
  assert.deepEqual(c.request.topics, ["service-2-dlq"]);
  assert.deepEqual(c.request.filter, {
    reason: "permanent_failure",
    workerName: "service-1-publisher",
    requestId: "550e8400-e29b-41d4-a716-446655440000",
  });
  assert.equal(c.request.sinceMs, 7_200_000);
  assert.deepEqual(c.request.action, { action: "replay", yes: true, again: false, force: true });
  assert.deepEqual((await dlq(["replay"])).request.action, {
    action: "replay",
    yes: false,
    again: false,
    force: false,
  });
});

Deno.test("chain dlq refuses an unknown topic, a malformed filter or a misplaced flag in one line", async () => {
  for (
    const [args, pattern] of [
      [
        ["list", "--topic", "orders"],
        /--topic must be one of the dead-letter topics command-center-dlq, .*"orders"/,
      ],
      [["list", "--reason", "nope"], /--reason must be one of malformed, .*"nope"/],
      [["list", "--worker", "a b"], /--worker must be a worker name/],
      [["list", "--request-id", "123"], /--request-id must be a UUID, got "123"/],
      [["list", "--since", "soon"], /--since: must be a whole number and a unit/],
      [["list", "--yes"], /dlq list: --yes is for dlq replay only/],
      [["replay", "--json"], /dlq replay: --json is for dlq list only/],
      [["purge"], /dlq: unknown action "purge"/],
      [[], /usage: chain dlq list\|replay/],
      [["list", "extra"], /usage: chain dlq/],
    ] as const
  ) {
    await assert.rejects(resolveCommand(["dlq", ...args], {}), (e: Error) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes("\n"), "one line");
      return true;
    });
  }
});
