/**
 * `chain dlq list` and `chain dlq replay`: the dead letters of the chain's dead-letter topics, filtered, printed
 * with whether each was replayed; and their replay to the topic each came from, a dry run unless `yes`. The I/O
 * goes through the small ports of {@link DlqDeps} (launch.ts wires Kafka and Cassandra behind them); the
 * decisions are the pure functions of this folder. Nothing here decrypts or prints a value.
 *
 * @module
 */
import type { InRecord, RecordSink } from "../messaging/records.ts";
import type { RouteRegistry } from "../routing/route_registry.ts";
import type { Logger } from "../logging/logger.ts";
import { type DeadLetterEntry, deadLetterEntry, entryPlace, replayKey } from "./dead_letter_entry.ts";
import { type DlqFilter, matchesFilter } from "./dlq_filter.ts";
import { decideReplay, type PastReplay } from "./replay_decision.ts";
import { replayRecord } from "./replay_record.ts";
import { type DecidedDeadLetter, formatDlqJson, formatDlqTable, formatReplay } from "./dlq_report.ts";
import { type DlqReplayRow, replayedRecordId } from "../cassandra/dlq_replays.ts";
import { type DeadLetterCount, summarizeDeadLetters } from "./dlq_summary.ts";

/** What `chain dlq` was asked: which topics, which dead letters, and to list or replay them. */
export interface DlqRequest {
  /** The dead-letter topics to read (all of the chain's, or the one `--topic` names). */
  topics: readonly string[];
  filter: Omit<DlqFilter, "sinceMs">;
  /** `--since`: only dead letters of this many milliseconds before now. */
  sinceMs?: number;
  action: { action: "list"; json: boolean } | {
    action: "replay";
    /** Publish; without it a dry run that prints what would be replayed. */
    yes: boolean;
    again: boolean;
    force: boolean;
  };
  /** Who replays, for `dlq_replays`. */
  actor: string;
  /** The topics a replay may go to: the inbox and the service input topics. */
  inputTopics: ReadonlySet<string>;
}

/** The replays already recorded: read by the keys of the dead letters, written after a publish. */
export interface ReplayStore {
  read(keys: readonly string[]): Promise<DlqReplayRow[]>;
  write(rows: readonly DlqReplayRow[]): Promise<void>;
}

/** What `chain dlq` talks to. */
export interface DlqDeps {
  /** Every record the topics hold now, with headers. */
  readTopics(topics: readonly string[]): Promise<InRecord[]>;
  replays: ReplayStore;
  /** The live routes; read only when a decision needs them. */
  routes(): Promise<RouteRegistry>;
  /** A sink that publishes with acks=all; opened only for a replay with `yes`. */
  withSink<T>(work: (sink: RecordSink) => Promise<T>): Promise<T>;
  stdout: { write(text: string): Promise<void> };
  logger: Logger;
  now(): Date;
}

interface Selected {
  record: InRecord;
  entry: DeadLetterEntry;
  replays: PastReplay[];
}

/** Runs the request; resolves with the exit code (0: listed, or replayed what could be). */
export async function runDlq(request: DlqRequest, deps: DlqDeps): Promise<number> {
  const now = deps.now();
  const filter: DlqFilter = {
    ...request.filter,
    ...(request.sinceMs !== undefined ? { sinceMs: now.getTime() - request.sinceMs } : {}),
  };
  const selected: Selected[] = [];
  for (const record of await deps.readTopics(request.topics)) {
    const entry = deadLetterEntry(record);
    if (matchesFilter(entry, filter)) selected.push({ record, entry, replays: [] });
  }
  await attachReplays(selected, deps.replays);
  const { action } = request;
  if (action.action === "list") {
    const items = selected.map(({ entry, replays }) => ({ entry, replays }));
    await deps.stdout.write(action.json ? formatDlqJson(items) : formatDlqTable(items));
    return 0;
  }
  const needsRoutes = !action.force &&
    selected.some((s) => s.entry.reason === "unknown_worker" || s.entry.reason === "route_disabled");
  const routes: RouteRegistry = needsRoutes ? await deps.routes() : new Map();
  const decided: (DecidedDeadLetter & { record: InRecord })[] = selected.map((
    { record, entry, replays },
  ) => ({
    record,
    entry,
    decision: decideReplay(entry, {
      inputTopics: request.inputTopics,
      routes,
      past: replays,
      again: action.again,
      force: action.force,
    }),
  }));
  if (!action.yes) {
    await deps.stdout.write(formatReplay(decided, true));
    return 0;
  }
  const chosen = decided.flatMap((d) =>
    d.decision.kind === "replay" ? [{ ...d, topic: d.decision.topic }] : []
  );
  if (chosen.length > 0) {
    await deps.withSink(async (sink) => {
      // A chunk at a time, acks=all, its rows written once it is acknowledged: a failure part way leaves every
      // replay made with its row, so running the command again replays only the rest.
      for (let done = 0; done < chosen.length; done += REPLAY_CHUNK) {
        const chunk = chosen.slice(done, done + REPLAY_CHUNK);
        try {
          await sink.send(chunk.map((c) => replayRecord(c.record, c.topic)));
        } catch (error) {
          throw new Error(
            `replayed ${done} of ${chosen.length} (each with its dlq_replays row); the rest were not: ` +
              (error as Error).message,
          );
        }
        await writeRows(chunk, request.actor, deps);
      }
    });
    deps.logger.info(
      { replayed: chosen.map((c) => `${entryPlace(c.entry)} -> ${c.topic}`), actor: request.actor },
      "replayed dead letters",
    );
  }
  await deps.stdout.write(formatReplay(decided, false));
  return 0;
}

/** Replays published in one request, then recorded, before the next. */
const REPLAY_CHUNK = 100;

/** The `dlq_replays` rows of replays just published; a failure names the records left without their row. */
async function writeRows(
  chunk: readonly { entry: DeadLetterEntry; topic: string }[],
  actor: string,
  deps: Pick<DlqDeps, "replays" | "now">,
): Promise<void> {
  const replayedAt = deps.now();
  const rows: DlqReplayRow[] = chunk.map(({ entry, topic }) => ({
    key: replayKey(entry),
    replayedAt,
    actor,
    dlqTopic: entry.topic,
    dlqPartition: entry.partition,
    dlqOffset: entry.offset,
    dlqTimestamp: entry.timestamp,
    reason: entry.reason,
    targetTopic: topic,
  }));
  try {
    await deps.replays.write(rows);
  } catch (error) {
    const places = chunk.map((c) => entryPlace(c.entry)).join(", ");
    throw new Error(
      `replayed ${places}, but the dlq_replays rows could not be written (a later replay would not skip ` +
        `them): ${(error as Error).message}`,
    );
  }
}

/** Fills in each dead letter's past replays: the rows under its key that name its own place and timestamp. */
async function attachReplays(selected: Selected[], store: ReplayStore): Promise<void> {
  if (selected.length === 0) return;
  const rows = await store.read(selected.map((s) => replayKey(s.entry)));
  const byRecord = new Map<string, PastReplay[]>();
  for (const row of rows) {
    const id = replayedRecordId({
      topic: row.dlqTopic,
      partition: row.dlqPartition,
      offset: row.dlqOffset,
      timestamp: row.dlqTimestamp,
    });
    const past = byRecord.get(id) ?? [];
    past.push({ replayedAt: row.replayedAt, actor: row.actor });
    byRecord.set(id, past);
  }
  for (const s of selected) {
    s.replays = (byRecord.get(replayedRecordId(s.entry)) ?? [])
      .sort((a, b) => a.replayedAt.getTime() - b.replayedAt.getTime());
  }
}

/**
 * The dashboard's figures of the dead-letter topics: every record of `topics` counted by topic and reason, with
 * how many `chain dlq replay` would take now (no `--again`, no `--force`, against `routes`) and how many were
 * replayed (unknown without `replays`).
 */
export async function deadLetterCounts(
  deps: Pick<DlqDeps, "readTopics"> & { replays?: ReplayStore },
  topics: readonly string[],
  inputTopics: ReadonlySet<string>,
  routes: RouteRegistry,
): Promise<DeadLetterCount[]> {
  const selected: Selected[] = (await deps.readTopics(topics)).map((record) => ({
    record,
    entry: deadLetterEntry(record),
    replays: [],
  }));
  if (deps.replays) await attachReplays(selected, deps.replays);
  return summarizeDeadLetters(selected.map(({ entry, replays }) => ({
    entry,
    replays: deps.replays ? replays : null,
    decision: decideReplay(entry, { inputTopics, routes, past: replays, again: false, force: false }),
  })));
}
