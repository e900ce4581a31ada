/**
 * Small time helpers the fault suite shares: sleeping, waiting for a condition, and a progress note on stderr
 * (stdout carries only the result table).
 *
 * @module
 */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A progress line on stderr, prefixed with the elapsed time of the suite. */
export function note(text: string): void {
  const at = (performance.now() / 1000).toFixed(1).padStart(6);
  console.error(`faults ${at}s: ${text}`);
}

/** Polls `probe` every `everyMs` until it returns true or `timeoutMs` passes; resolves with whether it did. */
export async function waitFor(
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(everyMs);
  }
  return await probe();
}
