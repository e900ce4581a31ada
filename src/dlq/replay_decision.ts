/**
 * Whether a dead letter is replayed, and where to: `chain dlq replay`'s decision for one record, pure. In order:
 * a reduced record (its value was left out) cannot be replayed; nor one whose source is not an input topic of
 * this chain; one already replayed is skipped unless `again`; one whose cause is plainly still there (its route
 * still missing or disabled, for `unknown_worker` and `route_disabled`) is skipped unless `force`.
 *
 * @module
 */
import type { DeadLetterEntry } from "./dead_letter_entry.ts";
import type { RouteRegistry } from "../routing/route_registry.ts";

/** A replay already made of a dead letter (a `dlq_replays` row). */
export interface PastReplay {
  replayedAt: Date;
  actor: string;
}

/** What the decision looks at besides the entry. */
export interface ReplayContext {
  /** The topics a replay may go to: the chain's inbox and service input topics. */
  inputTopics: ReadonlySet<string>;
  /** The live routes (read from the routes topic). */
  routes: RouteRegistry;
  /** The replays already made of this dead letter, oldest first. */
  past: readonly PastReplay[];
  /** `--again`: replay what was replayed before. */
  again: boolean;
  /** `--force`: replay even though the route is still missing or disabled. */
  force: boolean;
}

/** Replay to `topic`, or skip with a reason an operator reads. */
export type ReplayDecision =
  | { kind: "replay"; topic: string }
  | { kind: "skip"; why: string };

/** Reasons whose cause is the route registry: checked against the live routes before a replay. */
const ROUTE_REASONS = new Set(["unknown_worker", "route_disabled"]);

/** The decision for `entry`; see the module's summary for the order of the rules. */
export function decideReplay(entry: DeadLetterEntry, context: ReplayContext): ReplayDecision {
  if (entry.reduced) {
    const where = entry.source
      ? `; the original is at ${entry.source.topic}/${entry.source.partition}/${entry.source.offset}`
      : "";
    return { kind: "skip", why: `reduced: its value was left out to fit the dead-letter topic${where}` };
  }
  if (entry.source === undefined) {
    return { kind: "skip", why: "no chain-dlq-source-* headers: where it came from is not known" };
  }
  if (!context.inputTopics.has(entry.source.topic)) {
    return {
      kind: "skip",
      why: `its source topic ${entry.source.topic} is not an input topic of this chain`,
    };
  }
  const last = context.past.at(-1);
  if (last !== undefined && !context.again) {
    return {
      kind: "skip",
      why: `already replayed at ${last.replayedAt.toISOString()} by ${last.actor} (--again replays it again)`,
    };
  }
  if (ROUTE_REASONS.has(entry.reason) && !context.force) {
    const worker = entry.workerName;
    const route = worker === undefined ? undefined : context.routes.get(worker);
    if (worker === undefined) {
      return { kind: "skip", why: "its worker_name cannot be read, so it would be dead-lettered again" };
    }
    if (route === undefined) {
      return {
        kind: "skip",
        why: `${entry.reason}: still no route for ${worker} (--force replays it anyway)`,
      };
    }
    if (!route.enabled) {
      return {
        kind: "skip",
        why:
          `${entry.reason}: the route of ${worker} (${route.routeId}) is still disabled (--force replays it anyway)`,
      };
    }
  }
  return { kind: "replay", topic: entry.source.topic };
}
