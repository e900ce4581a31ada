/**
 * `deno task compile`: builds the single executable `chain` with `deno compile`, granting exactly the
 * permissions of the `chain` task (the ones every role and test runs with) and embedding the route registry
 * and the git commit.
 *
 * `deno compile` wraps the program around a runtime (`denort`) that it downloads unless `DENORT_BIN` names a
 * local copy; where that download is impossible this says so in one line.
 *
 * @module
 */
import { chainPermissions } from "../support/role_process.ts";

const root = new URL("../", import.meta.url).pathname;

/** The `deno compile` arguments: permissions from the `chain` task, embedded files, output `chain`. */
export function compileArgs(output = "chain"): string[] {
  return [
    "compile",
    ...chainPermissions(),
    "--include",
    "routes.json",
    "--include",
    "build_commit.txt",
    "--output",
    output,
    "main.ts",
  ];
}

async function commit(): Promise<string> {
  const fromEnv = Deno.env.get("CHAIN_COMMIT");
  if (fromEnv) return fromEnv;
  const git = await new Deno.Command("git", {
    args: ["rev-parse", "--short=12", "HEAD"],
    cwd: root,
    stdout: "piped",
  })
    .output().catch(() => undefined);
  return git?.success ? new TextDecoder().decode(git.stdout).trim() : "unknown";
}

if (import.meta.main) {
  await Deno.writeTextFile(`${root}build_commit.txt`, `${await commit()}\n`);
  const result = await new Deno.Command(Deno.execPath(), { args: compileArgs(), cwd: root, stderr: "piped" })
    .output();
  const stderr = new TextDecoder().decode(result.stderr);
  if (result.success) {
    console.log(`compile: built ${root}chain`);
    Deno.exit(0);
  }
  const denort = /denort|dl\.deno\.land|download/i.test(stderr);
  if (denort && !Deno.env.get("DENORT_BIN")) {
    console.error(
      "compile: deno compile could not download its runtime (denort) from this machine; " +
        "set DENORT_BIN to a local denort binary of the same Deno version and run again",
    );
  } else {
    console.error(`compile: deno compile failed:\n${stderr.trim()}`);
  }
  Deno.exit(1);
}
