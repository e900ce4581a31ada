/**
 * Part 1, router throughput: the preloaded envelopes put into a fresh inbox, the command center started as its
 * own process, timed until all of them are on their target topic; counted in and out (target plus dead letters).
 *
 * @module
 */
import { roleEnv, RoleProcess } from "../../support/role_process.ts";
import { deleteTopics, topicCount } from "../../support/topic_reader.ts";
import type { BenchContext } from "./bench_context.ts";
import { createBenchTopics, preload, timeArrivals } from "./bench_topics.ts";
import { peakRssMiB } from "./process_stats.ts";
import { writeRoutesFile } from "./routes_file.ts";

/** The figures of one router throughput run. */
export interface RouterRunResult {
  perSecond: number;
  coldPerSecond: number;
  /** Envelopes neither routed nor dead-lettered. */
  lost: number;
  /** The command center's peak RSS, MiB. */
  rss: number;
  exitCode: number;
  /** What the command center's "metadata log closed" line reported (metadata log on only). */
  metadata: unknown;
}

/** Routes `values` once through a new command center, with the metadata log on or off; `n` numbers the run. */
export async function routerRun(
  context: BenchContext,
  values: Uint8Array[],
  metadataLog: boolean,
  n: number,
): Promise<RouterRunResult> {
  const { kafka, admin } = context;
  const id = `${context.runId}-r${n}-${metadataLog ? "log" : "nolog"}`;
  // Its own routes topic: the shared chain-routes may hold other routes for initial-publisher (live routes
  // seed only workers the topic has never seen), and the router would forward there.
  const topics = { inbox: `${id}-inbox`, target: `${id}-s1`, dlq: `${id}-dlq`, routes: `${id}-routes` };
  await createBenchTopics(kafka, admin, [topics.inbox, topics.target, topics.dlq]);
  await preload(kafka, topics.inbox, values);
  const routes = await writeRoutesFile({
    "initial-publisher": { targetTopic: topics.target, routeId: "bench" },
  });
  const startedAt = performance.now();
  const router = new RoleProcess(
    "command-center",
    ["--role", "command-center"],
    roleEnv({
      ...context.baseEnv,
      INBOX_TOPIC: topics.inbox,
      COMMAND_CENTER_DLQ_TOPIC: topics.dlq,
      ROUTES_FILE: routes,
      ROUTES_TOPIC: topics.routes,
      METADATA_LOG: metadataLog ? "on" : "off",
      KAFKA_GROUP_ID: id,
      LOG_LEVEL: "info",
    }),
  );
  const timing = await timeArrivals(admin, topics.target, values.length, startedAt);
  const rss = peakRssMiB(router.pid);
  const stopped = await router.stop("SIGTERM");
  const out = await topicCount(admin, topics.target);
  const dead = await topicCount(admin, topics.dlq);
  const metadata = router.stderr.find((l) => l.includes("metadata log closed")) ?? "";
  await deleteTopics(admin, Object.values(topics));
  await Deno.remove(routes);
  return {
    perSecond: timing.perSecond,
    coldPerSecond: timing.coldPerSecond,
    lost: values.length - out - dead,
    rss,
    exitCode: stopped.code,
    metadata: metadata ? JSON.parse(metadata).metadata : undefined,
  };
}
