/**
 * The publisher's progress bar on a terminal (stderr), drawn by cli-progress.
 *
 * @module
 */
import process from "node:process";
import type { Progress } from "./publisher.ts";

/**
 * A bar of sent orders; with an unknown total (input from a file) it shows the count only. cli-progress is
 * loaded only when a bar is shown: a publisher without a terminal never touches it.
 */
export async function terminalProgress(): Promise<Progress> {
  const { default: cliProgress } = await import("cli-progress");
  const bar = new cliProgress.SingleBar(
    { format: "publishing [{bar}] {value}/{total} orders | {eta_formatted} left", stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(total || 0, 0),
    advance: (count) => bar.increment(count),
    stop: () => bar.stop(),
  };
}
