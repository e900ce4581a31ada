/**
 * The live routes against a routes file, pure: what `chain routes diff` prints, what `chain routes apply`
 * publishes, and what a command center, `chain init` and the dashboard warn about.
 *
 * One {@link RouteDifference} per worker whose live route is not the file's:
 *
 * - `added`: in the file, not live;
 * - `changed`: in both, the target topic or the route id differ (and maybe `enabled` too);
 * - `enabled` / `disabled`: in both, only `enabled` differs;
 * - `deleted`: live, not in the file.
 *
 * As with `kubectl diff` / `kubectl apply`, a live route the file lacks is deleted only with `--prune`
 * ({@link changesToApply}); without it the route is kept and shown as such. `diff` and `apply` given the same
 * flags agree: the lines `diff` prints as changes are the records `apply` publishes.
 *
 * @module
 */
import type { Route, RouteRegistry } from "./route_registry.ts";
import {
  applyRouteChange,
  planRouteChange,
  type RouteChange,
  type RouteRequest,
  type RouteRules,
} from "./live_route_registry.ts";

/** How one worker's live route differs from the file's. */
export type RouteDifference =
  | { readonly kind: "added"; readonly workerName: string; readonly after: Route }
  | {
    readonly kind: "changed" | "enabled" | "disabled";
    readonly workerName: string;
    readonly before: Route;
    readonly after: Route;
  }
  | { readonly kind: "deleted"; readonly workerName: string; readonly before: Route };

/** Every worker whose live route differs from the file's, sorted by worker name; live-only routes as `deleted`. */
export function diffRoutes(live: RouteRegistry, file: RouteRegistry): RouteDifference[] {
  const names = [...new Set([...live.keys(), ...file.keys()])].sort();
  const differences: RouteDifference[] = [];
  for (const workerName of names) {
    const before = live.get(workerName);
    const after = file.get(workerName);
    if (before === undefined && after !== undefined) differences.push({ kind: "added", workerName, after });
    else if (before !== undefined && after === undefined) {
      differences.push({ kind: "deleted", workerName, before });
    } else if (before !== undefined && after !== undefined) {
      if (before.targetTopic !== after.targetTopic || before.routeId !== after.routeId) {
        differences.push({ kind: "changed", workerName, before, after });
      } else if (before.enabled !== after.enabled) {
        differences.push({ kind: after.enabled ? "enabled" : "disabled", workerName, before, after });
      }
    }
  }
  return differences;
}

/** The differences `apply` publishes: all of them with `prune`, else all but the deletions. */
export function changesToApply(differences: readonly RouteDifference[], prune: boolean): RouteDifference[] {
  return prune ? [...differences] : differences.filter((d) => d.kind !== "deleted");
}

function describe(route: Route): string {
  return `${route.targetTopic} (${route.routeId}, ${route.enabled ? "enabled" : "disabled"})`;
}

/**
 * One line for a difference, its kind first, e.g. `changed  initial-publisher: targetTopic a -> b`. A
 * deletion without `prune` is not a change: it reads `kept     <worker>: … is live only; --prune deletes it`.
 */
export function formatDifference(difference: RouteDifference, prune: boolean): string {
  const { workerName } = difference;
  const line = (kind: string, text: string) => `${kind.padEnd(9)}${workerName}: ${text}`;
  switch (difference.kind) {
    case "added":
      return line("added", `-> ${describe(difference.after)}`);
    case "deleted":
      return prune
        ? line("deleted", `${describe(difference.before)} ->`)
        : line("kept", `${describe(difference.before)} is live only; --prune deletes it`);
    case "enabled":
    case "disabled":
      return line(difference.kind, `${difference.after.targetTopic} (${difference.after.routeId})`);
    case "changed": {
      const { before, after } = difference;
      const fields = (["targetTopic", "routeId", "enabled"] as const)
        .filter((field) => before[field] !== after[field])
        .map((field) =>
          field === "enabled"
            ? `${before.enabled ? "enabled" : "disabled"} -> ${after.enabled ? "enabled" : "disabled"}`
            : `${field} ${before[field]} -> ${after[field]}`
        );
      return line("changed", fields.join(", "));
    }
  }
}

/** One change of an apply: the difference it removes and the record that does it. */
export interface PlannedChange {
  readonly difference: RouteDifference;
  readonly change: RouteChange;
}

/** The `chain routes` request that removes one difference. */
function requestFor(difference: RouteDifference): RouteRequest {
  const { workerName } = difference;
  switch (difference.kind) {
    case "added":
    case "changed": {
      const { targetTopic, routeId, enabled } = difference.after;
      return { action: "set", workerName, targetTopic, routeId, enabled };
    }
    case "enabled":
      return { action: "enable", workerName };
    case "disabled":
      return { action: "disable", workerName };
    case "deleted":
      return { action: "delete", workerName };
  }
}

/**
 * Validates the changes of an apply as a whole and orders them, pure. Each change is checked with the rules of
 * `chain routes set|enable|disable|delete` ({@link planRouteChange}) against the routes the changes before it
 * leave, as every command center will apply the records one at a time: a record that breaks a rule there would be
 * rejected and leave its worker as it was. The changes go in worker order, except that one that does not fit yet
 * (a routeId another changed route still holds, the last route deleted before a new one is added) waits for the
 * others.
 *
 * @throws {RangeError} naming the worker and the rule, when some change can be applied in no order; nothing is to
 * be published then.
 */
export function planApply(
  live: RouteRegistry,
  changes: readonly RouteDifference[],
  rules: RouteRules,
  topicExists: (topic: string) => boolean,
  source: string,
): PlannedChange[] {
  let routes = live;
  let pending = [...changes];
  const planned: PlannedChange[] = [];
  while (pending.length > 0) {
    let refusal: { workerName: string; error: Error } | undefined;
    let next: PlannedChange | undefined;
    for (const difference of pending) {
      try {
        const change = planRouteChange(routes, requestFor(difference), rules, topicExists, source);
        // A difference always changes something; a NoChange would mean the diff and the live routes disagree.
        if ("noChange" in change) throw new RangeError(`the route is already as the file has it`);
        next = { difference, change };
        break;
      } catch (error) {
        refusal ??= { workerName: difference.workerName, error: error as Error };
      }
    }
    if (next === undefined) {
      const { workerName, error } = refusal!;
      throw new RangeError(`cannot apply the route of ${JSON.stringify(workerName)}: ${error.message}`);
    }
    const done = next;
    routes = applyRouteChange(routes, done.change, rules, source).next;
    planned.push(done);
    pending = pending.filter((d) => d !== done.difference);
  }
  return planned;
}
