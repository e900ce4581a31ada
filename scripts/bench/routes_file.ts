/**
 * A routes file for a run's own topics, written to a temporary file that the command center reads through
 * ROUTES_FILE; the caller removes it when the run ends.
 *
 * @module
 */

/** One enabled route: where a worker's envelopes go. */
export interface BenchRoute {
  targetTopic: string;
  routeId: string;
}

/** Writes `{ routes: { <worker>: { targetTopic, enabled: true, routeId } } }` to a new temp file; its path. */
export async function writeRoutesFile(routes: Record<string, BenchRoute>): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  const entries = Object.entries(routes).map(([worker, r]) => [
    worker,
    { targetTopic: r.targetTopic, enabled: true, routeId: r.routeId },
  ]);
  await Deno.writeTextFile(path, JSON.stringify({ routes: Object.fromEntries(entries) }));
  return path;
}
