/**
 * Which dead letters `chain dlq list` and `chain dlq replay` take: the filters `--reason`, `--worker`,
 * `--request-id` and `--since` (the topic filter picks which topics are read at all). Pure.
 *
 * @module
 */
import type { DeadLetterEntry } from "./dead_letter_entry.ts";

/** Every reason a chain role writes in `chain-dlq-reason` (see dead_letter.ts and README's Dead-letter records). */
export const deadLetterReasons = [
  "malformed",
  "oversize",
  "unknown_worker",
  "route_disabled",
  "decrypt_failed",
  "unknown_key",
  "invalid_payload",
  "permanent_failure",
] as const;

/** What a dead letter must match; an absent field matches everything. */
export interface DlqFilter {
  reason?: string;
  workerName?: string;
  /** Lowercase UUID. */
  requestId?: string;
  /** Only dead letters whose timestamp is at or after this (ms since the epoch). */
  sinceMs?: number;
}

/** Whether `entry` passes every filter given. */
export function matchesFilter(entry: DeadLetterEntry, filter: DlqFilter): boolean {
  if (filter.reason !== undefined && entry.reason !== filter.reason) return false;
  if (filter.workerName !== undefined && entry.workerName !== filter.workerName) return false;
  if (filter.requestId !== undefined && entry.requestId !== filter.requestId) return false;
  if (filter.sinceMs !== undefined && entry.timestamp < filter.sinceMs) return false;
  return true;
}
