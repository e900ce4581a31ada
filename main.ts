/**
 * chain's one entry: `deno run main.ts --role <role>` or, compiled, `./chain --role <role>`.
 * See `--help` and README.md.
 *
 * @module
 */
import { resolveCommand } from "./src/app/config.ts";
import { ConfigError } from "./src/app/config_error.ts";
import { explainError } from "./src/app/connection_errors.ts";
import { settingsHelp } from "./src/app/settings.ts";
import { launch, type Output } from "./src/app/launch.ts";
import { versionText } from "./src/app/version.ts";

/** Runs chain with `args` and `env`; resolves with the exit code. Stops cleanly when `signal` aborts. */
export async function main(
  args: string[],
  env: Record<string, string | undefined>,
  signal: AbortSignal,
  stdout: Output,
  stderr: Output,
): Promise<number> {
  try {
    const command = await resolveCommand(args, env);
    if (command.name === "help") {
      await stdout.write(settingsHelp() + "\n");
      return 0;
    }
    if (command.name === "version") {
      await stdout.write(versionText() + "\n");
      return 0;
    }
    return await launch(command, signal, stdout);
  } catch (error) {
    if (error instanceof ConfigError) {
      await stderr.write(`chain: ${error.message}\n`);
      return 2;
    }
    // Errors carry ids, topics and reasons, never payloads: safe to print.
    // A refused login or an untrusted certificate is said so, on one line (connection_errors.ts).
    await stderr.write(`chain: ${explainError(error)}\n`);
    return 1;
  }
}

function writer(stream: { write(p: Uint8Array): Promise<number> }): Output {
  const encoder = new TextEncoder();
  return {
    async write(text) {
      const bytes = encoder.encode(text);
      for (let written = 0; written < bytes.length;) written += await stream.write(bytes.subarray(written));
    },
  };
}

if (import.meta.main) {
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => controller.abort(signal));
  }
  const code = await main(
    Deno.args,
    Deno.env.toObject(),
    controller.signal,
    writer(Deno.stdout),
    writer(Deno.stderr),
  );
  Deno.exit(code);
}
