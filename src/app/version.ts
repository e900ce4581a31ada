/**
 * What `--version` prints: the package version from deno.json and the git commit chain was built from.
 *
 * `deno task compile` embeds the commit in `build_commit.txt`; under `deno run` it is read from `.git`.
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };

const embedded = new URL("../../build_commit.txt", import.meta.url);
const gitDir = new URL("../../.git/", import.meta.url);

function readText(url: URL): string | undefined {
  try {
    return Deno.readTextFileSync(url).trim();
  } catch {
    return undefined;
  }
}

/** The commit: embedded at compile time, or HEAD of the checkout main.ts runs from, or "unknown". */
export function buildCommit(): string {
  const fromBuild = readText(embedded);
  if (fromBuild) return fromBuild;
  const head = readText(new URL("HEAD", gitDir));
  if (!head) return "unknown";
  if (!head.startsWith("ref: ")) return head.slice(0, 12);
  const ref = head.slice(5);
  const loose = readText(new URL(ref, gitDir));
  if (loose) return loose.slice(0, 12);
  const packed = readText(new URL("packed-refs", gitDir))?.split("\n").find((line) =>
    line.endsWith(` ${ref}`)
  );
  return packed ? packed.slice(0, 12) : "unknown";
}

/** `chain <version> (commit <sha>)`. */
export function versionText(): string {
  return `chain ${denoJson.version} (commit ${buildCommit()})`;
}
