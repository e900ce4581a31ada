/**
 * The command center: reads the inbox, forwards each envelope byte for byte to its route's target topic, sends
 * what cannot be routed to the dead-letter topic with the reason in headers, and records every hop's metadata.
 * It never holds the encryption key and never looks inside `data`.
 *
 * @module
 */
import type { OutRecord, RecordBatch, RecordSink, RecordSource } from "../messaging/records.ts";
import type { RoutingLog, RoutingRow } from "../routing/routing_log.ts";
import type { RouteRegistry } from "../routing/route_registry.ts";
import { route, type RouteDecision } from "../routing/route.ts";
import type { Logger } from "../logging/logger.ts";
import { deadLetter, recordBytes } from "../messaging/dead_letter.ts";
import { countReplays } from "./count_replays.ts";
import type { ChainMetrics } from "../observability/chain_metrics.ts";
import { KEY_ID_HEADER } from "../envelope/envelope.ts";
import { type HopSpan, type HopTracer } from "../tracing/spans.ts";
import { formatTraceparent, TRACEPARENT_HEADER, TRACESTATE_HEADER } from "../tracing/traceparent.ts";

/** What the command center talks to. */
export interface CommandCenterDeps {
  source: RecordSource;
  sink: RecordSink;
  routingLog: RoutingLog;
  registry: RouteRegistry;
  logger: Logger;
  /** Counts and timings for `/metrics`; none kept when absent. */
  metrics?: ChainMetrics;
  /** Hop spans ("route"), passed in by the wiring (one per process). */
  tracer: HopTracer;
}

/** Topics and limits. */
export interface CommandCenterOptions {
  dlqTopic: string;
  /** Larger inbox messages are dead-lettered as oversize. */
  maxMessageBytes: number;
  /** The largest record the broker takes on the topics the command center writes (see dead_letter.ts). */
  recordLimitBytes: number;
}

/** Counts since start. */
export interface RouterStats {
  forwarded: number;
  deadLettered: number;
}

/**
 * Routes one batch: decides every record, produces forwards and dead letters in one request, and only after
 * Kafka acknowledges them logs the hops (so `success=true` means the forward is durable). Throws if the produce
 * fails; the caller's consumer then replays the batch.
 */
export async function routeBatch(
  batch: RecordBatch,
  deps: Pick<CommandCenterDeps, "sink" | "routingLog" | "registry" | "metrics" | "tracer">,
  options: CommandCenterOptions,
  stats: RouterStats,
): Promise<void> {
  const started = performance.now();
  const { records } = batch;
  const decisions: RouteDecision[] = new Array(records.length);
  const out: OutRecord[] = new Array(records.length);
  const dlq = { topic: options.dlqTopic, limitBytes: options.recordLimitBytes };
  // The router's hop of each record's trace: the child of its `traceparent` (a new trace when it has none).
  const { tracer } = deps;
  const hops: HopSpan[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const hop = hops[i] = tracer.start("route", record.headers[TRACEPARENT_HEADER]);
    let decision = route(record.value, deps.registry, options.maxMessageBytes);
    if (decision.kind === "forward") {
      // The key id header travels with the envelope: the next service needs it to pick the key (and it is
      // bound into the ciphertext's additional data, so it cannot be changed on the way).
      const keyId = record.headers[KEY_ID_HEADER];
      // The trace goes on as this hop's span; a tracestate goes with a traceparent that was continued.
      const headers: Record<string, string> = { [TRACEPARENT_HEADER]: formatTraceparent(hop.context) };
      const state = hop.continued ? record.headers[TRACESTATE_HEADER] : undefined;
      if (state !== undefined) headers[TRACESTATE_HEADER] = state;
      if (keyId !== undefined) headers[KEY_ID_HEADER] = keyId;
      const forward: OutRecord = { topic: decision.topic, key: record.key, value: record.value!, headers };
      const bytes = recordBytes(forward);
      if (bytes <= options.recordLimitBytes) {
        decisions[i] = decision;
        out[i] = forward;
        continue;
      }
      // A key large enough to push a message under MAX_MESSAGE_BYTES over the broker's limit.
      decision = {
        kind: "dead_letter",
        reason: "oversize",
        detail:
          `the forward to ${decision.topic} would be ${bytes} bytes, more than its limit of ${options.recordLimitBytes}`,
        requestId: decision.requestId,
        workerName: decision.workerName,
      };
    }
    decisions[i] = decision;
    out[i] = deadLetter(record, decision.reason, decision.detail, dlq);
  }
  try {
    await deps.sink.send(out);
  } catch (error) {
    if (tracer.recording) {
      for (const hop of hops) hop.end({ outcome: "produce_failed" }, true);
    }
    throw error;
  }

  const acked = performance.now();
  const routedAt = new Date();
  const processingTimeMs = acked - started;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const d = decisions[i];
    const row: RoutingRow = d.kind === "forward"
      ? {
        requestId: d.requestId,
        workerName: d.workerName,
        sourceTopic: record.topic,
        targetTopic: d.topic,
        routeId: d.routeId,
        success: true,
        processingTimeMs,
        routedAt,
        sourcePartition: record.partition,
        sourceOffset: record.offset,
        traceId: hops[i].context.traceId,
      }
      : {
        // A malformed message may carry no valid request_id; its row is found by where it came from.
        requestId: d.requestId ?? `invalid:${record.topic}/${record.partition}/${record.offset}`,
        workerName: d.workerName ?? "",
        sourceTopic: record.topic,
        targetTopic: options.dlqTopic,
        routeId: d.kind === "dead_letter" && d.reason === "route_disabled"
          ? (deps.registry.get(d.workerName ?? "")?.routeId ?? "")
          : "",
        success: false,
        processingTimeMs,
        routedAt,
        reason: `${d.reason}: ${d.detail}`,
        sourcePartition: record.partition,
        sourceOffset: record.offset,
        traceId: hops[i].context.traceId,
      };
    deps.routingLog.log(row);
    if (tracer.recording) {
      hops[i].end({
        request_id: row.requestId,
        worker_name: row.workerName,
        route_id: row.routeId,
        topic: row.targetTopic,
        outcome: d.kind === "forward" ? "forwarded" : `dead_letter:${d.reason}`,
      }, d.kind !== "forward");
    }
    if (d.kind === "forward") stats.forwarded++;
    else stats.deadLettered++;
  }
  if (deps.metrics) {
    countBatch(deps.metrics, batch.topic, decisions, processingTimeMs / 1000);
    countReplays(deps.metrics, records);
  }
}

/** Adds one batch to the metrics: one counter update per route and reason, one histogram sample per message. */
function countBatch(
  metrics: ChainMetrics,
  topic: string,
  decisions: readonly RouteDecision[],
  seconds: number,
) {
  metrics.received.inc({ topic }, decisions.length);
  const perRoute = new Map<string, number>();
  const perReason = new Map<string, number>();
  for (const d of decisions) {
    if (d.kind === "forward") perRoute.set(d.routeId, (perRoute.get(d.routeId) ?? 0) + 1);
    else perReason.set(d.reason, (perReason.get(d.reason) ?? 0) + 1);
  }
  for (const [route_id, n] of perRoute) {
    metrics.forwarded.inc({ route_id }, n);
    const histogram = metrics.processing.labels({ route_id });
    for (let i = 0; i < n; i++) histogram.observe(seconds);
  }
  for (const [reason, n] of perReason) metrics.deadLettered.inc({ reason }, n);
}

/** Runs the command center until `signal` aborts, then finishes the batch in hand and returns its counts. */
export async function runCommandCenter(
  deps: CommandCenterDeps,
  options: CommandCenterOptions,
  signal: AbortSignal,
): Promise<RouterStats> {
  const stats: RouterStats = { forwarded: 0, deadLettered: 0 };
  const routes = [...deps.registry.values()].map((r) =>
    `${r.workerName}→${r.targetTopic}${r.enabled ? "" : " (off)"}`
  );
  deps.logger.info({ routes }, "command center routing");
  await deps.source.run(async (batch) => {
    const before = stats.deadLettered;
    await routeBatch(batch, deps, options, stats);
    if (stats.deadLettered > before) {
      deps.logger.warn(
        { partition: batch.partition, deadLettered: stats.deadLettered - before, topic: options.dlqTopic },
        "dead-lettered messages that could not be routed",
      );
    }
  }, signal);
  deps.logger.info({ ...stats }, "command center stopped consuming");
  return stats;
}
