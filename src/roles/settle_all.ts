/**
 * Runs work items with bounded concurrency and waits for all of them, even when some fail, so that nothing
 * from a failed attempt is still running when the caller retries.
 *
 * @module
 */

/** Calls `work` on every item, at most `limit` at once; resolves with the results in item order, or rejects
 * with the first failure once every item has settled. */
export async function settleAll<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let failure: { error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
