/**
 * Whether a static member was fenced: the broker answers FENCED_INSTANCE_ID when another process joined the group
 * under the same `group.instance.id` (KIP-345). The library treats it as "rejoin", which would fence the other
 * process in turn, and the two would take the id from each other forever; chain's source instead stops the
 * fenced member (src/kafka/platformatic/platformatic_record_source.ts).
 *
 * @module
 */
import { type Channel, channel } from "node:diagnostics_channel";

/** The Kafka error code name a fenced static member gets. */
export const FENCED_INSTANCE_ID = "FENCED_INSTANCE_ID";

/**
 * Whether `error` is, or holds (the library nests protocol errors in `errors` arrays), a FENCED_INSTANCE_ID
 * answer.
 */
export function isFencedInstance(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 4) return false;
  const e = error as { apiId?: unknown; errors?: unknown };
  if (e.apiId === FENCED_INSTANCE_ID) return true;
  return Array.isArray(e.errors) && e.errors.some((nested) => isFencedInstance(nested, depth + 1));
}

/** The library's tracing channels whose failures may carry a FENCED_INSTANCE_ID: heartbeats, joins, commits. */
const channels = ["heartbeat", "group", "commits"].map((name) => `tracing:plt:kafka:consumer:${name}:error`);

/**
 * Calls `onFenced` (synchronously, before the library acts on the answer) when a heartbeat, join, sync or commit
 * of `client` is answered FENCED_INSTANCE_ID. Returns the function that stops watching.
 */
export function watchFencing(client: object, onFenced: () => void): () => void {
  const listener = (message: unknown) => {
    const context = message as { client?: unknown; error?: unknown };
    if (context.client === client && isFencedInstance(context.error)) onFenced();
  };
  const subscribed: Channel[] = channels.map((name) => channel(name));
  for (const c of subscribed) c.subscribe(listener);
  return () => {
    for (const c of subscribed) c.unsubscribe(listener);
  };
}

/** This member was fenced: another process joined its group under the same instance id, so this one stops. */
export class FencedInstanceError extends Error {
  /** Joining again would fence the other process in turn. */
  readonly retriable = false;
  readonly groupId: string;
  readonly instanceId: string;

  constructor(groupId: string, instanceId: string) {
    super(
      `consumer group "${groupId}" fenced this member: another process joined with instance id "${instanceId}", ` +
        `so this one stops; give each replica its own --instance-id / CHAIN_INSTANCE_ID`,
    );
    this.name = "FencedInstanceError";
    this.groupId = groupId;
    this.instanceId = instanceId;
  }
}
