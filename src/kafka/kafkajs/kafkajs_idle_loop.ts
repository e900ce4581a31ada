/**
 * A fix for kafkajs 2.2.4's request queue, which keeps every open connection in a timer loop: after each request
 * `scheduleCheckPendingRequests()` sets a timeout of `throttledUntil - now`, negative when the broker never
 * throttled, so it fires at once and schedules itself again, about a thousand times a second per connection,
 * for as long as the connection is open (kafkajs issues #1556 and #1704, unmerged fixes #1667 and #1768). The
 * command center's routes follower alone cost 3.9 % of a core with no traffic at all.
 *
 * {@link fixKafkajsIdleLoop} replaces that one method with the same logic less the loop: nothing is scheduled
 * when nothing is pending and nothing is throttled. A pending request is still checked again after 10 ms (or
 * when the throttle ends), and a finished request still sends the next one (kafkajs's `fulfillRequest`).
 *
 * @module
 */
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

/** kafkajs's own interval for re-checking requests that wait (its `CHECK_PENDING_REQUESTS_INTERVAL`). */
export const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** The fields of kafkajs's RequestQueue the schedule reads. */
export interface PendingRequestQueue {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

/**
 * `RequestQueue.prototype.scheduleCheckPendingRequests` without the idle loop: schedules a check when requests
 * wait (at the throttle's end, or in 10 ms) or while the broker throttles us; otherwise nothing.
 */
export function scheduleCheckPendingRequests(this: PendingRequestQueue, now = Date.now()): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - now;
  if (this.pending.length > 0) {
    scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  } else if (scheduleAt <= 0) {
    return;
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

/** Installs {@link scheduleCheckPendingRequests} in kafkajs's RequestQueue; calling it again changes nothing. */
export function fixKafkajsIdleLoop(): void {
  (RequestQueue as { prototype: { scheduleCheckPendingRequests: unknown } }).prototype
    .scheduleCheckPendingRequests = function (this: PendingRequestQueue) {
      scheduleCheckPendingRequests.call(this);
    };
}
