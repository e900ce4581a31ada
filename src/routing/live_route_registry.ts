/**
 * The route registry that changes while the command center runs. Its source of truth is the compacted topic
 * `chain-routes` (key = worker name, value = the route as JSON, a tombstone = the route deleted); the Kafka side
 * lives in src/kafka/route_topic.ts and feeds each record to {@link LiveRouteRegistry.apply}.
 *
 * Pure parts, tested without Kafka: {@link decodeRouteRecord} (a record to a change), {@link applyRouteChange}
 * (a change to the next routes, or a rejection) and {@link planRouteChange} (an operator's request, validated
 * against the current routes and the broker's topics, to the change to publish).
 *
 * The command center reads the registry once per message: `get` is one Map lookup, and a change swaps the whole
 * map, so a batch never sees half a change.
 *
 * @module
 */
import { isTopicName, NAME_PATTERN, NAME_RULE, TOPIC_NAME_RULE } from "../messaging/names.ts";
import { parseRoute, type Route, type RouteRegistry } from "./route_registry.ts";

/** One record of the routes topic, decoded: the worker's new route, or `null` to delete it. */
export interface RouteChange {
  readonly workerName: string;
  readonly route: Route | null;
}

/** What applying a change did. */
export type ApplyResult =
  | { kind: "set"; workerName: string; before: Route | undefined; after: Route }
  | { kind: "deleted"; workerName: string; before: Route }
  | { kind: "unchanged"; workerName: string }
  | { kind: "rejected"; workerName: string; error: string };

/** The rules every route must keep besides its own shape: the topics no route may target (they would loop). */
export interface RouteRules {
  /** The router's inbox and the dead-letter topics. */
  readonly forbiddenTopics: readonly string[];
}

/** The JSON value of a route in the routes topic: the same object as in a routes file. */
export function encodeRoute(route: Route): string {
  return JSON.stringify({ targetTopic: route.targetTopic, enabled: route.enabled, routeId: route.routeId });
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes one routes-topic record; a null (or empty) value is a tombstone.
 *
 * @throws {TypeError | RangeError | SyntaxError} with a one-line message when the record is not a valid route.
 */
export function decodeRouteRecord(
  key: Uint8Array | null,
  value: Uint8Array | null,
  source: string,
): RouteChange {
  if (key === null || key.byteLength === 0) throw new TypeError(`${source}: record has no key (worker name)`);
  const workerName = decoder.decode(key);
  if (!NAME_PATTERN.test(workerName)) {
    throw new RangeError(`${source}: record key ${quote(workerName)}: worker name must be ${NAME_RULE}`);
  }
  if (value === null || value.byteLength === 0) return { workerName, route: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(value));
  } catch (error) {
    throw new SyntaxError(
      `${source}: route ${quote(workerName)}: not valid JSON: ${(error as Error).message}`,
    );
  }
  return { workerName, route: parseRoute(workerName, parsed, source) };
}

/**
 * Checks `route` against the rest of the registry: not into a forbidden topic, and its routeId not used by
 * another worker's route (the same rules `parseRouteRegistry` and `assertNoLoops` apply to a routes file).
 *
 * @throws {RangeError} naming the rule broken.
 */
export function checkRouteFits(routes: RouteRegistry, route: Route, rules: RouteRules, source: string): void {
  if (rules.forbiddenTopics.includes(route.targetTopic)) {
    throw new RangeError(
      `${source}: route ${quote(route.workerName)} would target ${
        quote(route.targetTopic)
      }, which is the router's own inbox or dead-letter topic and would loop`,
    );
  }
  for (const other of routes.values()) {
    if (other.routeId === route.routeId && other.workerName !== route.workerName) {
      throw new RangeError(
        `${source}: route ${quote(route.workerName)}: routeId ${
          quote(route.routeId)
        } is already used by route ${quote(other.workerName)}`,
      );
    }
  }
}

/**
 * Applies one change to `routes`, pure: returns the next routes (a new map, or `routes` itself when nothing
 * changed or the change is rejected) and what happened. A route that breaks {@link checkRouteFits} is rejected
 * and the worker keeps its current route.
 */
export function applyRouteChange(
  routes: RouteRegistry,
  change: RouteChange,
  rules: RouteRules,
  source: string,
): { next: RouteRegistry; result: ApplyResult } {
  const { workerName, route } = change;
  const before = routes.get(workerName);
  if (route === null) {
    if (before === undefined) return { next: routes, result: { kind: "unchanged", workerName } };
    const next = new Map(routes);
    next.delete(workerName);
    return { next, result: { kind: "deleted", workerName, before } };
  }
  try {
    checkRouteFits(routes, route, rules, source);
  } catch (error) {
    return { next: routes, result: { kind: "rejected", workerName, error: (error as Error).message } };
  }
  if (before !== undefined && sameRoute(before, route)) {
    return { next: routes, result: { kind: "unchanged", workerName } };
  }
  const next = new Map(routes);
  next.set(workerName, route);
  return { next, result: { kind: "set", workerName, before, after: route } };
}

function sameRoute(a: Route, b: Route): boolean {
  return a.targetTopic === b.targetTopic && a.enabled === b.enabled && a.routeId === b.routeId;
}

/** Counts of what the registry applied since start. */
export interface RegistryCounts {
  /** Records that changed a route (set or deleted). */
  changed: number;
  /** Records that repeated the current state. */
  unchanged: number;
  /** Records that were invalid or broke a rule, and changed nothing. */
  rejected: number;
}

/**
 * The live registry: a `ReadonlyMap<string, Route>` (so it is a {@link RouteRegistry} for the router) whose
 * contents change by {@link apply}. Reading is a Map lookup on the current snapshot.
 */
export class LiveRouteRegistry implements ReadonlyMap<string, Route> {
  #routes: RouteRegistry;
  readonly #rules: RouteRules;
  readonly #source: string;
  readonly counts: RegistryCounts = { changed: 0, unchanged: 0, rejected: 0 };
  readonly #seen = new Set<string>();

  constructor(rules: RouteRules, source: string, initial: RouteRegistry = new Map()) {
    this.#rules = rules;
    this.#source = source;
    this.#routes = new Map(initial);
  }

  /** Applies one decoded change (or a record that failed to decode, given as its error) and counts it. */
  apply(change: RouteChange | { workerName: string; error: Error }): ApplyResult {
    this.#seen.add(change.workerName);
    if ("error" in change) {
      this.counts.rejected++;
      return { kind: "rejected", workerName: change.workerName, error: change.error.message };
    }
    const { next, result } = applyRouteChange(this.#routes, change, this.#rules, this.#source);
    this.#routes = next;
    if (result.kind === "set" || result.kind === "deleted") this.counts.changed++;
    else if (result.kind === "unchanged") this.counts.unchanged++;
    else this.counts.rejected++;
    return result;
  }

  /** Every worker name a record was applied for, deleted and rejected ones too. */
  keysSeen(): ReadonlySet<string> {
    return this.#seen;
  }

  /** The current routes, a snapshot that later changes do not alter. */
  snapshot(): RouteRegistry {
    return this.#routes;
  }

  get(workerName: string): Route | undefined {
    return this.#routes.get(workerName);
  }

  has(workerName: string): boolean {
    return this.#routes.has(workerName);
  }

  get size(): number {
    return this.#routes.size;
  }

  values(): MapIterator<Route> {
    return this.#routes.values();
  }

  keys(): MapIterator<string> {
    return this.#routes.keys();
  }

  entries(): MapIterator<[string, Route]> {
    return this.#routes.entries();
  }

  forEach(callback: (value: Route, key: string, map: ReadonlyMap<string, Route>) => void, thisArg?: unknown) {
    for (const [key, value] of this.#routes) callback.call(thisArg, value, key, this);
  }

  [Symbol.iterator](): MapIterator<[string, Route]> {
    return this.#routes.entries();
  }
}

/** What an operator asks `chain routes` to do. */
export type RouteRequest =
  | { action: "set"; workerName: string; targetTopic: string; routeId?: string; enabled?: boolean }
  | { action: "enable" | "disable" | "delete"; workerName: string };

/** A request that changes nothing (the route is already so): nothing is published. */
export interface NoChange {
  readonly workerName: string;
  readonly route: Route | undefined;
  readonly noChange: true;
}

/**
 * Validates an operator's request against the current routes and the topics on the broker, pure: returns the
 * change to publish, or {@link NoChange}.
 *
 * Rules: the same as for a routes file (names, topic names, unique routeIds, no loop into the inbox or a
 * dead-letter topic), plus: enable, disable and delete name an existing route, the target topic exists, and the
 * last route is not deleted. A new route without `routeId` gets `route-<worker>`; `enabled` defaults to the
 * current value, or on for a new route.
 *
 * @throws {RangeError} with one line saying what is wrong; nothing is to be published then.
 */
export function planRouteChange(
  routes: RouteRegistry,
  request: RouteRequest,
  rules: RouteRules,
  topicExists: (topic: string) => boolean,
  source: string,
): RouteChange | NoChange {
  const { workerName } = request;
  if (!NAME_PATTERN.test(workerName)) {
    throw new RangeError(`worker name ${quote(workerName)} must be ${NAME_RULE}`);
  }
  const before = routes.get(workerName);
  if (request.action !== "set") {
    if (before === undefined) {
      throw new RangeError(
        `no route for worker ${quote(workerName)} in ${source}; routes are: ${
          [...routes.keys()].map(quote).join(", ") || "none"
        }`,
      );
    }
    if (request.action === "delete") {
      if (routes.size === 1) throw new RangeError(`route ${quote(workerName)} is the last route; it stays`);
      return { workerName, route: null };
    }
    const enabled = request.action === "enable";
    if (before.enabled === enabled) return { workerName, route: before, noChange: true };
    return { workerName, route: Object.freeze({ ...before, enabled }) };
  }
  const { targetTopic } = request;
  if (!isTopicName(targetTopic)) {
    throw new RangeError(`target topic ${quote(targetTopic)} must be ${TOPIC_NAME_RULE}`);
  }
  const routeId = request.routeId ?? before?.routeId ?? `route-${workerName}`;
  if (!NAME_PATTERN.test(routeId)) {
    throw new RangeError(`routeId ${quote(routeId)} must be ${NAME_RULE}; give one with --route-id`);
  }
  const route: Route = Object.freeze({
    workerName,
    targetTopic,
    enabled: request.enabled ?? before?.enabled ?? true,
    routeId,
  });
  checkRouteFits(routes, route, rules, source);
  if (!topicExists(targetTopic)) {
    throw new RangeError(`target topic ${quote(targetTopic)} does not exist; create it first`);
  }
  if (before !== undefined && sameRoute(before, route)) return { workerName, route: before, noChange: true };
  return { workerName, route };
}

/** Quotes a name for an error message, shortened so a huge key cannot flood the log. */
function quote(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}
