/**
import process from "node:process";
 * The publisher's progress bar on a terminal (stderr), drawn by cli-progress.
 *
 * @module
 */
import cliProgress from "cli-progress";
import type { Progress } from "./roles/publisher.ts";

/** A bar of sent orders; with an unknown total (input from a file) it shows the count only. */
export function terminalProgress(): Progress {
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
