/**
 * Scenario 2: three command centers in one consumer group, one killed with `kill -9` and not restarted. The
 * other two must take its partition over within 10 s.
 *
 * @module
 */
import { AssignerProtocol } from "kafkajs";
import { runFaultScenario } from "./fault_flow.ts";
import { killStallBar } from "./role_kill.ts";
import type { Scenario } from "./scenario.ts";
import { waitFor } from "./timing.ts";
import type { ChainRun } from "./chain_run.ts";

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

/** The takeover scenario. */
export const commandCenterTakeover: Scenario = {
  name: "takeover-command-center",
  group: 2,
  destructive: false,
  proves:
    `one of three command centers killed (-9, not restarted): the others route its partition within ${killStallBar} s`,
  run: (options) =>
    runFaultScenario("takeover-command-center", options, {
      roles: [
        ["command-center", "command-center-a"],
        ["command-center", "command-center-b"],
        ["command-center", "command-center-c"],
        ["service-1", "service-1"],
        ["service-2", "service-2"],
      ],
      at: 0.4,
      stallBar: killStallBar,
      async inject({ run, notes }) {
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
        await victim.kill9(false);
        notes.push(`killed command-center-b pid ${pid} with SIGKILL, not restarted`);
      },
    }),
};
