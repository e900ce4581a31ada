import assert from "node:assert/strict";
import { type Command, ConfigError, resolveCommand } from "./config.ts";

type Lag = Extract<Command, { name: "lag" }>;

async function lag(args: string[], env: Record<string, string> = {}): Promise<Lag> {
  const command = await resolveCommand(["lag", ...args], env);
  assert.equal(command.name, "lag");
  return command as Lag;
}

Deno.test("chain lag looks at chain's own groups over 2 s by default, as a table", async () => {
  const c = await lag([]);
  assert.deepEqual(c.groups, ["command-center", "service-1", "service-2"]);
  assert.equal(c.windowSeconds, 2);
  assert.equal(c.json, false);
  assert.equal(c.common.topics.inbox, "command-center-inbox");
  assert.equal(c.common.http.enabled, false, "a command serves no HTTP");
});

Deno.test("chain lag --group is repeatable and takes comma lists; LAG_GROUPS when no flag; --window and --json", async () => {
  const c = await lag(["--group", "a,b", "--group", "c", "--group", "a", "--window", "5", "--json"], {
    LAG_GROUPS: "ignored",
  });
  assert.deepEqual(c.groups, ["a", "b", "c"]);
  assert.equal(c.windowSeconds, 5);
  assert.equal(c.json, true);
  assert.deepEqual((await lag([], { LAG_GROUPS: "x, y", LAG_WINDOW: "1.5" })).groups, ["x", "y"]);
  assert.equal((await lag([], { LAG_WINDOW: "1.5" })).windowSeconds, 1.5);
});

Deno.test("chain lag refuses a bad group, window or argument in one line", async () => {
  for (
    const [args, pattern] of [
      [["--group", "bad group"], /--group \/ LAG_GROUPS must be 1-249 characters.*"bad group"/],
      [["--group", "a,,b"], /--group \/ LAG_GROUPS must be 1-249 characters.*""/],
      [["--window", "0"], /--window \/ LAG_WINDOW must be a number from 1 to 300, got "0"/],
      [["extra"], /usage: chain lag/],
    ] as const
  ) {
    await assert.rejects(() => resolveCommand(["lag", ...args], {}), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});
