/**
 * Every scenario of the suite, in the order they run: the ones that leave the shared services alone first, then
 * the destructive ones (Cassandra, then the broker).
 *
 * @module
 */
import { brokerKill, brokerPause } from "./broker_outage.ts";
import { cassandraKill, cassandraPause } from "./cassandra_outage.ts";
import { commandCenterStopped, commandCenterTakeover } from "./command_center_takeover.ts";
import { malformedFlood } from "./malformed_flood.ts";
import { nearLimit } from "./near_limit.ts";
import { roleKillScenario } from "./role_kill.ts";
import type { Scenario } from "./scenario.ts";

/** All scenarios, non-destructive first. */
export function allScenarios(): Scenario[] {
  return [
    roleKillScenario("command-center"),
    roleKillScenario("service-1"),
    roleKillScenario("service-2"),
    commandCenterTakeover,
    commandCenterStopped,
    malformedFlood,
    nearLimit,
    cassandraPause,
    cassandraKill,
    brokerPause,
    brokerKill,
  ];
}

/** The scenarios `only` selects: names or group numbers, comma-separated; all when it is undefined. */
export function selectScenarios(only: string | undefined): Scenario[] {
  const all = allScenarios();
  if (only === undefined) return all;
  const wanted = only.split(",").map((w) => w.trim()).filter((w) => w !== "");
  const unknown = wanted.filter((w) => !all.some((s) => s.name === w || String(s.group) === w));
  if (unknown.length > 0) {
    throw new RangeError(
      `unknown scenario ${unknown.join(", ")}; choose from ${
        all.map((s) => `${s.name} (${s.group})`).join(", ")
      }`,
    );
  }
  return all.filter((s) => wanted.includes(s.name) || wanted.includes(String(s.group)));
}
