/**
 * The route registry: which topic each worker's messages are forwarded to.
 *
 * The registry is read from a JSON file such as the shipped `routes.json`:
 *
 * ```json
 * {
 *   "routes": {
 *     "initial-publisher": {
 *       "targetTopic": "service-1-topic",
 *       "enabled": true,
 *       "routeId": "route-publisher-to-service1"
 *     }
 *   }
 * }
 * ```
 *
 * @module
 */
import { isTopicName, NAME_PATTERN, NAME_RULE, TOPIC_NAME_RULE } from "../messaging/names.ts";

/** Where messages from one worker are forwarded. */
export interface Route {
  readonly workerName: string;
  readonly targetTopic: string;
  readonly enabled: boolean;
  readonly routeId: string;
}

/** Routes keyed by worker name. */
export type RouteRegistry = ReadonlyMap<string, Route>;

const ROUTE_KEYS: readonly string[] = ["targetTopic", "enabled", "routeId"];

/**
 * Parses and validates a route registry file.
 *
 * Every route must have exactly `targetTopic`, `enabled` and `routeId`;
 * unknown keys are rejected so a typo cannot silently disable a field.
 * The returned map and its routes are frozen.
 *
 * @param text the file's contents
 * @param source the file name, used as the prefix of every error message
 * @throws {SyntaxError} if `text` is not JSON.
 * @throws {TypeError} if the structure is wrong: `routes` missing or not an object, a route not an
 * object, a missing field, a field of the wrong type or an unknown field.
 * @throws {RangeError} if a value is not allowed: an invalid worker name, topic or routeId, a
 * duplicate routeId, or no routes at all.
 */
export function parseRouteRegistry(text: string, source: string): RouteRegistry {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new SyntaxError(`${source}: not valid JSON: ${detail}`);
  }
  if (!isPlainObject(document) || !isPlainObject(document.routes)) {
    throw new TypeError(`${source}: "routes" must be an object mapping worker names to routes`);
  }

  const routes: Route[] = [];
  const workerByRouteId = new Map<string, string>();
  for (const [workerName, value] of Object.entries(document.routes)) {
    const route = parseRoute(workerName, value, source);
    const other = workerByRouteId.get(route.routeId);
    if (other !== undefined) {
      throw new RangeError(
        `${source}: route ${quote(workerName)}: routeId ${quote(route.routeId)} is already used by route ${
          quote(other)
        }`,
      );
    }
    workerByRouteId.set(route.routeId, workerName);
    routes.push(route);
  }
  if (routes.length === 0) {
    throw new RangeError(`${source}: "routes" must contain at least one route`);
  }
  return new FrozenMap(routes.map((route) => [route.workerName, route]));
}

/**
 * Checks that no route, enabled or not, targets one of `forbiddenTopics`.
 *
 * The caller passes the router's inbox and dead-letter topics: a route to
 * the inbox would send messages round forever.
 *
 * @throws {RangeError} naming the first route that targets a forbidden topic.
 */
export function assertNoLoops(
  registry: RouteRegistry,
  forbiddenTopics: readonly string[],
  source: string,
): void {
  for (const route of registry.values()) {
    if (forbiddenTopics.includes(route.targetTopic)) {
      throw new RangeError(
        `${source}: route ${quote(route.workerName)} (routeId ${quote(route.routeId)}) targets ${
          quote(route.targetTopic)
        }, which is the router's own inbox or dead-letter topic and would loop`,
      );
    }
  }
}

/**
 * Parses and validates one route, the value of `routes[workerName]` in a routes file or of a `chain-routes`
 * record: exactly `targetTopic`, `enabled` and `routeId`. The returned route is frozen.
 *
 * @throws {TypeError} for a wrong structure, {@link RangeError} for a value that is not allowed.
 */
export function parseRoute(workerName: string, value: unknown, source: string): Route {
  if (!NAME_PATTERN.test(workerName)) {
    throw new RangeError(`${source}: route ${quote(workerName)}: worker name must be ${NAME_RULE}`);
  }
  const where = `${source}: route ${quote(workerName)}`;
  if (!isPlainObject(value)) {
    throw new TypeError(`${where}: must be an object with targetTopic, enabled and routeId`);
  }
  const unknownKeys = Object.keys(value).filter((key) => !ROUTE_KEYS.includes(key));
  if (unknownKeys.length > 0) {
    throw new TypeError(
      `${where}: unknown key ${quote(unknownKeys[0])}; allowed keys are ${ROUTE_KEYS.join(", ")}`,
    );
  }

  const { targetTopic, enabled, routeId } = value;
  if (typeof targetTopic !== "string") throw new TypeError(`${where}: targetTopic must be a string`);
  if (!isTopicName(targetTopic)) throw new RangeError(`${where}: targetTopic must be ${TOPIC_NAME_RULE}`);
  if (typeof enabled !== "boolean") throw new TypeError(`${where}: enabled must be true or false`);
  if (typeof routeId !== "string") throw new TypeError(`${where}: routeId must be a string`);
  if (!NAME_PATTERN.test(routeId)) throw new RangeError(`${where}: routeId must be ${NAME_RULE}`);

  return Object.freeze({ workerName, targetTopic, enabled, routeId });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Quotes a name for an error message, shortened so a huge key cannot flood the log. */
function quote(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

/** A Map that refuses changes once built, so the registry cannot be altered at run time. */
class FrozenMap<K, V> extends Map<K, V> {
  #frozen = false;

  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    for (const [key, value] of entries) this.set(key, value);
    this.#frozen = true;
    Object.freeze(this);
  }

  override set(key: K, value: V): this {
    if (this.#frozen) throw new TypeError("Cannot change a route registry: it is read-only");
    return super.set(key, value);
  }

  override delete(_key: K): boolean {
    throw new TypeError("Cannot change a route registry: it is read-only");
  }

  override clear(): void {
    throw new TypeError("Cannot change a route registry: it is read-only");
  }
}
