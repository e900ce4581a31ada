/**
 * The router's decision, pure: where does this inbox message go, and why.
 *
 * @module
 */
import type { RouteRegistry } from "./route_registry.ts";
import { EnvelopeError, parseEnvelope } from "../envelope/envelope.ts";
import { REQUEST_ID_PATTERN } from "../messaging/names.ts";

/** Why a message goes to the dead-letter topic. */
export type DeadLetterReason = "malformed" | "oversize" | "unknown_worker" | "route_disabled";

const REQUEST_ID_FIELD = /"request_id"\s*:\s*"([0-9a-fA-F-]{36})"/;
const decoder = new TextDecoder();

/**
 * The request_id of a message that failed to parse as an envelope, if it has a valid one, so `chain trace`
 * finds its dead-lettered hop too. Reads the first `"request_id":"…"` in the text; only a UUID is taken.
 */
export function salvageRequestId(value: Uint8Array): string | undefined {
  const found = REQUEST_ID_FIELD.exec(decoder.decode(value))?.[1];
  return found !== undefined && REQUEST_ID_PATTERN.test(found) ? found.toLowerCase() : undefined;
}

/** Forward to a topic from the registry, or dead-letter with a reason. */
export type RouteDecision =
  | { kind: "forward"; topic: string; routeId: string; requestId: string; workerName: string }
  | {
    kind: "dead_letter";
    reason: DeadLetterReason;
    detail: string;
    requestId?: string;
    workerName?: string;
  };

/**
 * Decides where one inbox message goes, from its value alone; the caller forwards the value untouched.
 *
 * The target topic only ever comes from `registry`: nothing in the message is used as a topic name.
 * `requestId` in the decision is lower-cased, as in the additional data; it is set once the envelope has parsed,
 * or, for a message that did not parse, when it still carries a valid request_id ({@link salvageRequestId}). A malformed message's `detail` is the {@link EnvelopeError} message, which
 * never contains a field's value.
 */
export function route(value: Uint8Array | null, registry: RouteRegistry, maxBytes: number): RouteDecision {
  if (value === null || value.byteLength === 0) {
    return { kind: "dead_letter", reason: "malformed", detail: "message has no value" };
  }
  let requestId: string;
  let workerName: string;
  try {
    const envelope = parseEnvelope(value, maxBytes);
    requestId = envelope.request_id.toLowerCase();
    workerName = envelope.worker_name;
  } catch (error) {
    if (error instanceof EnvelopeError) {
      return {
        kind: "dead_letter",
        reason: error.reason === "oversize" ? "oversize" : "malformed",
        detail: error.message,
        requestId: salvageRequestId(value),
      };
    }
    throw error;
  }
  const found = registry.get(workerName);
  if (found === undefined) {
    return {
      kind: "dead_letter",
      reason: "unknown_worker",
      detail: `no route for worker_name "${workerName}"`,
      requestId,
      workerName,
    };
  }
  if (!found.enabled) {
    return {
      kind: "dead_letter",
      reason: "route_disabled",
      detail: `route ${found.routeId} for worker_name "${workerName}" is disabled`,
      requestId,
      workerName,
    };
  }
  return { kind: "forward", topic: found.targetTopic, routeId: found.routeId, requestId, workerName };
}
