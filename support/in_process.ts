/**
 * chain's main() run in-process, as hono's tests call its app: arguments and environment in, the exit code and
 * what it wrote to stdout and stderr out.
 *
 * @module
 */
import { main } from "../main.ts";
import type { Output } from "../src/app/launch.ts";

/** An {@link Output} that keeps what is written to it. */
export function captured(): Output & { text(): string } {
  let text = "";
  return {
    write(chunk) {
      text += chunk;
      return Promise.resolve();
    },
    text: () => text,
  };
}

/** Runs `main(args, env)` to its end. */
export async function runMain(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = captured();
  const stderr = captured();
  const code = await main(args, env, new AbortController().signal, stdout, stderr);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
