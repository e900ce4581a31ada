/**
 * Scenario 2: three command centers in one consumer group, one stopped and not restarted: killed with `kill -9`
 * (`takeover-command-center`: the other two must take its partition over within 10 s; the aim is 3 s) or sent
 * SIGTERM (`stop-command-center`: it leaves the group, so its partition should not wait at all).
 *
 * @module
 */
import { AssignerProtocol } from "kafkajs";
import { runFaultScenario } from "./fault_flow.ts";
import { killStallBar } from "./role_kill.ts";
import type { Scenario } from "./scenario.ts";
import { waitFor } from "./timing.ts";
import type { ChainRun } from "./chain_run.ts";
import { memberPartitions } from "./partition_figures.ts";

/** How many members of `groupId` have at least one partition assigned. */
async function membersWithPartitions(run: ChainRun, groupId: string): Promise<number> {
  const { groups } = await run.admin.describeGroups([groupId]);
  let holding = 0;
  for (const member of groups[0]?.members ?? []) {
    const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    if (decoded && Object.values(decoded.assignment).some((partitions) => partitions.length > 0)) holding++;
  }
  return holding;
}

/** One of three command centers stopped by `how` and not restarted. */
function commandCenterStop(name: string, how: "SIGKILL" | "SIGTERM"): Scenario {
  return {
    name,
    group: 2,
    destructive: false,
    proves: how === "SIGKILL"
      ? `one of three command centers killed (-9, not restarted): the others route its partition within ${killStallBar} s`
      : `one of three command centers stopped with SIGTERM (not restarted): it leaves the group, nothing is lost`,
    run: (options) =>
      runFaultScenario(name, options, {
        roles: [
          ["command-center", "command-center-a"],
          ["command-center", "command-center-b"],
          ["command-center", "command-center-c"],
          ["service-1", "service-1"],
          ["service-2", "service-2"],
        ],
        at: 0.4,
        stallBar: killStallBar,
        async inject(context) {
          const { run, notes } = context;
          // Each of the three must hold a partition, so that the one killed leaves work behind.
          const holding = await waitFor(
            async () => (await membersWithPartitions(run, `${run.id}-command-center`)) >= 3,
            15_000,
            500,
          );
          notes.push(
            `${await membersWithPartitions(
              run,
              `${run.id}-command-center`,
            )} of 3 command centers held partitions${holding ? "" : " (expected 3)"}`,
          );
          const victim = run.role("command-center-b");
          const pid = victim.current.pid;
          const partitions = await memberPartitions(run, "command-center", "command-center-b");
          context.stopped = {
            role: "command-center",
            label: "command-center-b",
            at: Date.now(),
            how,
            partitions,
            restarted: false,
          };
          if (how === "SIGKILL") await victim.kill9(false);
          else await victim.stop();
          notes.push(`stopped command-center-b pid ${pid} with ${how}, not restarted`);
        },
      }),
  };
}

/** The takeover scenario: kill -9. */
export const commandCenterTakeover = commandCenterStop("takeover-command-center", "SIGKILL");
/** The planned stop: SIGTERM. */
export const commandCenterStopped = commandCenterStop("stop-command-center", "SIGTERM");
