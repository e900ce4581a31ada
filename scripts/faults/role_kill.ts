/**
 * Scenario 1: `kill -9` of one role mid-stream, restarted at once under the same identity (consumer group).
 * Proves at-least-once delivery with idempotent fulfilment (nothing lost, stock taken once) and measures how
 * long the restarted member's partitions wait.
 *
 * @module
 */
import type { RoleName } from "./chain_run.ts";
import { runFaultScenario } from "./fault_flow.ts";
import { memberPartitions } from "./partition_figures.ts";
import type { Scenario } from "./scenario.ts";

/** The stall a kill may cause, in seconds. */
export const killStallBar = 10;

/** The scenario that kills `role`. */
export function roleKillScenario(role: RoleName): Scenario {
  const name = `kill-${role}`;
  return {
    name,
    group: 1,
    destructive: false,
    proves: `kill -9 of ${role} mid-stream, restarted at once: no order lost, stock taken once, ` +
      `its partitions routed again within ${killStallBar} s`,
    run: (options) =>
      runFaultScenario(name, options, {
        roles: [["command-center", "command-center"], ["service-1", "service-1"], ["service-2", "service-2"]],
        at: 0.4,
        stallBar: killStallBar,
        async inject(context) {
          const { run, notes } = context;
          const victim = run.role(role);
          const pid = victim.current.pid;
          const partitions = await memberPartitions(run, role, role).catch(() => []);
          context.stopped = {
            role,
            label: role,
            at: Date.now(),
            how: "SIGKILL",
            partitions,
            restarted: true,
          };
          await victim.kill9(true);
          notes.push(`killed ${role} pid ${pid} with SIGKILL, restarted as pid ${victim.current.pid}`);
        },
      }),
  };
}
