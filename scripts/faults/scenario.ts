/**
 * What a fault scenario is and what it reports: one row of the result table, with the reasons it failed its
 * bar (lost = 0, duplicate stock = 0, stall after a kill ≤ 10 s, no role in a restart loop, plus the scenario's
 * own checks). Duplicate mails are reported, never failed: README documents an at-least-once mail window.
 *
 * @module
 */
import type { AuditResult } from "./order_audit.ts";

/** The suite's command-line choices every scenario gets. */
export interface ScenarioOptions {
  /** Orders in the main stream. */
  orders: number;
  /** Orders per second. */
  rate: number;
  /** Seed of the publisher's order generator. */
  seed: number;
}

/** One scenario of the suite. */
export interface Scenario {
  /** Its name on the command line and in the table (`--only <name>`). */
  name: string;
  /** The scenario number it belongs to (`--only <number>` runs the group). */
  group: number;
  /** Whether it stops Kafka or Cassandra, which other runs on this machine use. */
  destructive: boolean;
  /** One sentence: what passing it proves. */
  proves: string;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}

/** One row of the table. */
export interface ScenarioResult {
  scenario: string;
  audit?: AuditResult;
  /** The longest gap in progress after the fault, in seconds. */
  stallSeconds?: number;
  /** The longest stall of the stopped member's partitions, in seconds (scenarios that stop a member). */
  memberStallSeconds?: number;
  /** How long after the replacement was ready its partitions moved again, in seconds (kill and restart). */
  afterReadySeconds?: number;
  /** Hops the command center logged more than once. */
  repeatedHops?: number;
  /** Crash restarts of all roles. */
  restarts: number;
  /** Why the scenario failed; empty when it passed. */
  failures: string[];
  /** What else was seen (dead-letter counts, refused produces, ...). */
  notes: string[];
  seconds: number;
  /** Set when the scenario did not run (e.g. external services it may not stop). */
  skipped?: string;
}

/** Whether a result passes. */
export function passed(result: ScenarioResult): boolean {
  return result.skipped === undefined && result.failures.length === 0;
}

/** The row of a scenario that did not run, and why. */
export function skippedResult(scenario: string, why: string): ScenarioResult {
  return { scenario, restarts: 0, failures: [], notes: [], seconds: 0, skipped: why };
}
