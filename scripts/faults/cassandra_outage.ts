/**
 * Scenario 3: Cassandra away for 30 s mid-stream, once paused (SIGSTOP, then SIGCONT) and once killed (-9, then
 * started again by `servicesUp()`). Every order must complete once it is back, nothing twice, and the command
 * center's metadata rows (two per order) must all be written: the buffer holds them through the outage.
 *
 * @module
 */
import { runFaultScenario } from "./fault_flow.ts";
import { restoreServices, signalService, whyNotDisruptable } from "./local_service_control.ts";
import { type Scenario, skippedResult as skipped } from "./scenario.ts";
import { sleep } from "./timing.ts";

const outageMs = 30_000;

/** Cassandra paused with SIGSTOP for 30 s. */
export const cassandraPause: Scenario = {
  name: "cassandra-pause",
  group: 3,
  destructive: true,
  proves: "Cassandra paused (SIGSTOP) for 30 s: every order completes after SIGCONT, stock once, " +
    "every metadata row written",
  run(options) {
    const why = whyNotDisruptable("cassandra");
    if (why) return Promise.resolve(skipped(this.name, why));
    return runFaultScenario(this.name, options, {
      roles: [["command-center", "command-center"], ["service-1", "service-1"], ["service-2", "service-2"]],
      at: 0.3,
      metadataBar: true,
      drainMs: 90_000,
      async inject({ notes }) {
        let pid: number | undefined;
        try {
          pid = await signalService("cassandra", "SIGSTOP");
          await sleep(outageMs);
        } finally {
          await restoreServices(pid);
        }
        notes.push(`Cassandra pid ${pid} stopped for ${outageMs / 1000} s`);
      },
    });
  },
};

/** Cassandra killed with -9, started again after 30 s. */
export const cassandraKill: Scenario = {
  name: "cassandra-kill",
  group: 3,
  destructive: true,
  proves: "Cassandra killed (-9) and restarted 30 s later: every order completes, stock once",
  run(options) {
    const why = whyNotDisruptable("cassandra");
    if (why) return Promise.resolve(skipped(this.name, why));
    return runFaultScenario(this.name, options, {
      roles: [["command-center", "command-center"], ["service-1", "service-1"], ["service-2", "service-2"]],
      at: 0.3,
      // Reported, not failed: the local node syncs its commit log every 10 s (commitlog_sync: periodic), so a
      // kill -9 loses rows Cassandra had already acknowledged, whatever chain's buffer did.
      metadataBar: false,
      drainMs: 90_000,
      async inject({ notes }) {
        notes.push(
          "metadata rows are reported only: a kill -9 of a node with a periodic commit log loses writes it acknowledged",
        );
        const killedAt = performance.now();
        try {
          const pid = await signalService("cassandra", "SIGKILL");
          notes.push(`Cassandra pid ${pid} killed`);
          await sleep(outageMs);
        } finally {
          await restoreServices();
        }
        notes.push(
          `Cassandra away ${((performance.now() - killedAt) / 1000).toFixed(0)} s (restart included)`,
        );
      },
    });
  },
};
