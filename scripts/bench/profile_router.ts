/**
 * `deno run --allow-all scripts/bench/profile_router.ts [--messages N] [--metadata-log on|off]`: a CPU profile of
 * the command center while it routes N preloaded envelopes; the same as `profile_role.ts --role command-center`,
 * kept for the command docs/benchmarks.md and README cite.
 *
 * @module
 */
import { profileRole } from "./profile_role.ts";

/** Profiles the command center with the command line `args` and prints the summary. */
export async function profileRouter(args: string[]): Promise<void> {
  await profileRole(["--role", "command-center", ...args]);
}

if (import.meta.main) await profileRouter(Deno.args);
