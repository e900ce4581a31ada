/**
 * Stopping, continuing and killing the local Kafka or Cassandra that `support/local_services.ts` started (found by
 * its pid file in `.local/services/`, checked to be that service), and bringing it back with `servicesUp()`.
 * Services named by `KAFKA_BROKERS` / `CASSANDRA_CONTACT_POINTS` are not ours to stop.
 *
 * @module
 */
import { servicesUp, stateDir } from "../../support/local_services.ts";
import { note } from "./timing.ts";

/** A local service by name. */
export type LocalService = "kafka" | "cassandra";

const externalVar: Record<LocalService, string> = {
  kafka: "KAFKA_BROKERS",
  cassandra: "CASSANDRA_CONTACT_POINTS",
};

/** Why `service` may not be disrupted here, or undefined when it may. */
export function whyNotDisruptable(service: LocalService): string | undefined {
  const external = Deno.env.get(externalVar[service]);
  return external ? `${externalVar[service]}=${external} is not a service this suite started` : undefined;
}

/** The pid of the local `service`, read from its pid file and checked against its command line. */
export async function servicePid(service: LocalService): Promise<number> {
  const pid = Number((await Deno.readTextFile(`${stateDir}/${service}.pid`)).trim());
  const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
  if (!Number.isInteger(pid) || !cmdline.includes(`-Dchain.service=${service}`)) {
    throw new Error(`${stateDir}/${service}.pid does not name a running ${service} (pid ${pid})`);
  }
  return pid;
}

/** Services this process stopped with SIGSTOP and has not continued yet. */
const paused = new Set<number>();

/** Sends `signal` to the local `service`; returns its pid. */
export async function signalService(service: LocalService, signal: Deno.Signal): Promise<number> {
  const pid = await servicePid(service);
  if (signal === "SIGSTOP") paused.add(pid);
  Deno.kill(pid, signal);
  note(`${service}: ${signal} to pid ${pid}`);
  return pid;
}

/** Continues a stopped service (harmless if it runs) and brings both services up again, as `services up` does. */
export async function restoreServices(pausedPid?: number): Promise<void> {
  if (pausedPid !== undefined) continuePid(pausedPid);
  for (const line of await servicesUp()) note(line);
}

function continuePid(pid: number): void {
  paused.delete(pid);
  try {
    Deno.kill(pid, "SIGCONT");
  } catch {
    // Gone already.
  }
}

/** Continues every service this process paused: for an interrupted suite, before it exits. */
export function continuePausedServices(): void {
  for (const pid of [...paused]) {
    note(`SIGCONT to pid ${pid} (the suite is ending)`);
    continuePid(pid);
  }
}
