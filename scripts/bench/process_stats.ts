/**
 * What Linux's /proc says about a process: CPU seconds used, resident and peak resident memory, and the pids
 * of the local Kafka and Cassandra when chain started them. NaN when a figure cannot be read.
 *
 * @module
 */
import { stateDir } from "../../support/local_services.ts";

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Peak resident set size (VmHWM) of a running process, in MiB. */
export function peakRssMiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = Number(status.match(/^VmHWM:\s+(\d+) kB/m)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** Resident set size (VmRSS) of a running process now, in MiB. */
export function rssMiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/**
 * The local Kafka and Cassandra processes, when chain started them. `CHAIN_BENCH_SERVICES=kafka-b,cassandra-b`
 * names other pid files of `.local/services/` (a second pair on other ports, which KAFKA_BROKERS and
 * CASSANDRA_CONTACT_POINTS then point at), reported under the names `kafka` and `cassandra`.
 */
export function servicePids(): Record<string, number> {
  const pids: Record<string, number> = {};
  const files = (Deno.env.get("CHAIN_BENCH_SERVICES") ?? "kafka,cassandra").split(",");
  for (const [i, name] of ["kafka", "cassandra"].entries()) {
    try {
      pids[name] = Number(Deno.readTextFileSync(`${stateDir}/${files[i]}.pid`).trim());
    } catch {
      // An external service: its CPU is not ours to read.
    }
  }
  return pids;
}
