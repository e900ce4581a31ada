/**
 * Scenario 4: the Kafka broker away mid-stream, once paused (SIGSTOP for 15 s, then SIGCONT) and once killed
 * (-9, then started again by `servicesUp()`). Every role must ride it out on its own (a crash restart is
 * allowed, a restart loop is not) and every order complete.
 *
 * @module
 */
import { runFaultScenario } from "./fault_flow.ts";
import { restoreServices, signalService, whyNotDisruptable } from "./local_service_control.ts";
import { type Scenario, skippedResult as skipped } from "./scenario.ts";
import { sleep } from "./timing.ts";

const outageMs = 15_000;

/** The broker paused (SIGSTOP) for 15 s. */
export const brokerPause: Scenario = {
  name: "broker-pause",
  group: 4,
  destructive: true,
  proves: "the broker paused (SIGSTOP) for 15 s: every role resumes on its own, every order completes once",
  run(options) {
    const why = whyNotDisruptable("kafka");
    if (why) return Promise.resolve(skipped(this.name, why));
    return runFaultScenario(this.name, options, {
      roles: [["command-center", "command-center"], ["service-1", "service-1"], ["service-2", "service-2"]],
      at: 0.3,
      drainMs: 90_000,
      async inject({ notes }) {
        let pid: number | undefined;
        try {
          pid = await signalService("kafka", "SIGSTOP");
          await sleep(outageMs);
        } finally {
          await restoreServices(pid);
        }
        notes.push(`broker pid ${pid} stopped for ${outageMs / 1000} s`);
      },
    });
  },
};

/** The broker killed (-9) and started again 15 s later. */
export const brokerKill: Scenario = {
  name: "broker-kill",
  group: 4,
  destructive: true,
  proves: "the broker killed (-9) and restarted: every role resumes on its own, every order completes once",
  run(options) {
    const why = whyNotDisruptable("kafka");
    if (why) return Promise.resolve(skipped(this.name, why));
    return runFaultScenario(this.name, options, {
      roles: [["command-center", "command-center"], ["service-1", "service-1"], ["service-2", "service-2"]],
      at: 0.3,
      drainMs: 90_000,
      async inject({ notes }) {
        const killedAt = performance.now();
        try {
          const pid = await signalService("kafka", "SIGKILL");
          notes.push(`broker pid ${pid} killed`);
          await sleep(outageMs);
        } finally {
          await restoreServices();
        }
        notes.push(`broker away ${((performance.now() - killedAt) / 1000).toFixed(0)} s (restart included)`);
      },
    });
  },
};
