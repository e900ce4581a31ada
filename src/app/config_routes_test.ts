import assert from "node:assert/strict";
import { type Command, ConfigError, defaultRoutesFile, resolveCommand } from "./config.ts";

type Routes = Extract<Command, { name: "routes" }>;

async function routes(args: string[], env: Record<string, string> = {}): Promise<Routes["action"]> {
  const command = await resolveCommand(["routes", ...args], env);
  assert.equal(command.name, "routes");
  return (command as Routes).action;
}

async function routesFile(routes: Record<string, unknown>): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify({ routes }));
  return file;
}

const one = { a: { targetTopic: "t1", enabled: true, routeId: "r-a" } };

Deno.test("chain routes diff and apply read the built-in routes.json unless a file is named", async () => {
  const diff = await routes(["diff"]);
  assert.equal(diff.action, "diff");
  assert.ok("routesFile" in diff);
  assert.deepEqual(diff.routesFile, { path: defaultRoutesFile.pathname, builtIn: true });
  assert.equal(diff.prune, false);
  assert.deepEqual([...diff.registry.keys()], ["initial-publisher", "service-1-publisher"]);

  const file = await routesFile(one);
  const other = await routesFile({ b: { targetTopic: "t2", enabled: true, routeId: "r-b" } });
  try {
    // The argument wins over ROUTES_FILE; ROUTES_FILE over the built-in file.
    const apply = await routes(["apply", file, "--prune"], { ROUTES_FILE: other });
    assert.ok("routesFile" in apply);
    assert.equal(apply.action, "apply");
    assert.deepEqual(apply.routesFile, { path: file, builtIn: false });
    assert.equal(apply.prune, true);
    assert.deepEqual([...apply.registry.keys()], ["a"]);
    const fromEnv = await routes(["diff"], { ROUTES_FILE: other });
    assert.ok("routesFile" in fromEnv);
    assert.deepEqual(fromEnv.routesFile, { path: other, builtIn: false });
  } finally {
    await Deno.remove(file);
    await Deno.remove(other);
  }
});

Deno.test("chain routes diff and apply refuse a bad file, extra arguments and flags of other actions", async () => {
  const loop = await routesFile({ a: { targetTopic: "command-center-inbox", enabled: true, routeId: "r" } });
  try {
    for (
      const [args, pattern] of [
        [["diff", "/no/such/routes.json"], /cannot read routes file \/no\/such\/routes\.json/],
        [["apply", loop], /would loop/],
        [["apply", "a.json", "b.json"], /usage: chain routes/],
        [["diff", "--target-topic", "t"], /routes diff: --target-topic is for routes set only/],
        [["list", "--prune"], /routes list: --prune is for routes diff and apply only/],
        [["delete", "a", "--prune"], /routes delete: --prune is for routes diff and apply only/],
      ] as const
    ) {
      await assert.rejects(() => resolveCommand(["routes", ...args], {}), (error) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, pattern);
        return true;
      });
    }
  } finally {
    await Deno.remove(loop);
  }
});
