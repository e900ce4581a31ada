/**
 * What ships — the compiled binary's permissions, the Dockerfile, compose.yaml and README — agrees with what the
 * code reads and what the tests run with.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  encryptionActiveKeyIdVariable,
  encryptionKeysFileVariable,
  encryptionKeysVariable,
  encryptionKeyVariable,
  settings,
} from "../src/app/settings.ts";
import { chainPermissions } from "../support/role_process.ts";
import { compileArgs } from "../scripts/compile.ts";

const root = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));
const compose = parse(await Deno.readTextFile(new URL("compose.yaml", root)), { merge: true }) as {
  services: Record<
    string,
    { environment?: Record<string, string>; command?: string[]; deploy?: { replicas?: number } }
  >;
};
const settingVariables = new Set<string>([
  ...Object.values(settings).flatMap((s) => ("env" in s && s.env ? [s.env] : [])),
  encryptionKeyVariable,
  encryptionKeysVariable,
  encryptionKeysFileVariable,
  encryptionActiveKeyIdVariable,
]);

Deno.test("README documents every setting the config loader reads, by flag and by variable", () => {
  for (const s of Object.values(settings)) {
    assert.ok(readme.includes(`--${s.flag}`), `README mentions --${s.flag}`);
    if ("env" in s && s.env) assert.ok(readme.includes(`\`${s.env}\``), `README documents ${s.env}`);
  }
  for (const variable of [encryptionKeyVariable, encryptionKeysVariable, encryptionKeysFileVariable]) {
    assert.ok(readme.includes(`\`${variable}\``), `README documents ${variable}`);
  }
  assert.ok(readme.includes(`\`${encryptionActiveKeyIdVariable}\``), "README documents the active key id");
});

Deno.test("compose.yaml parses and runs Kafka, Cassandra, an SMTP sink, the init job and the four roles", () => {
  for (
    const name of [
      "kafka",
      "cassandra",
      "smtp",
      "init",
      "publisher",
      "command-center",
      "service-1",
      "service-2",
    ]
  ) {
    assert.ok(compose.services[name], `service ${name}`);
  }
  assert.ok(
    (compose.services["command-center"].deploy?.replicas ?? 1) >= 2,
    "the command center runs replicas",
  );
});

Deno.test("compose.yaml sets every variable a role needs, only variables chain reads, and no key for the router", () => {
  for (const name of ["init", "publisher", "command-center", "service-1", "service-2"]) {
    const env = compose.services[name].environment ?? {};
    for (const variable of Object.keys(env)) {
      assert.ok(settingVariables.has(variable), `${name}: ${variable} is a setting chain reads`);
    }
    assert.equal(env.KAFKA_BROKERS, "kafka:29092", `${name} reaches Kafka`);
    assert.equal(env.CASSANDRA_CONTACT_POINTS, "cassandra:9042", `${name} reaches Cassandra`);
  }
  for (const name of ["publisher", "service-1", "service-2"]) {
    assert.ok(compose.services[name].environment?.[encryptionKeyVariable], `${name} gets the key`);
  }
  assert.equal(compose.services["command-center"].environment?.[encryptionKeyVariable], undefined);
  assert.equal(compose.services["init"].environment?.[encryptionKeyVariable], undefined);
  assert.match(compose.services["service-2"].environment?.SMTP_URL ?? "", /^smtp:\/\/smtp:1025$/);
});

Deno.test("deno task compile grants exactly the permissions the roles run with in tests, and no blanket -A", () => {
  const args = compileArgs();
  const granted = args.filter((a) => /^--(allow|deny)-/.test(a) || a === "-A");
  assert.deepEqual(granted, chainPermissions());
  assert.ok(!granted.includes("-A") && !granted.includes("--allow-all"));
  assert.ok(granted.length > 0);
  assert.ok(args.includes("routes.json"), "the route registry is embedded");
  assert.ok(args.includes("build_commit.txt"), "the commit is embedded");
});

Deno.test("the Dockerfile compiles with deno task compile and runs chain as a non-root user", async () => {
  const dockerfile = await Deno.readTextFile(new URL("Dockerfile", root));
  assert.match(dockerfile, /^FROM denoland\/deno:2\.9\.6 AS build$/m);
  assert.match(dockerfile, /deno task compile/);
  assert.match(dockerfile, /^USER nonroot/m);
  assert.match(dockerfile, /^ENTRYPOINT \["chain"\]$/m);
});
