/**
 * A role process under a supervisor, as an operator would run it: when it exits on its own (any exit the
 * harness did not cause) it is started again after a second, at most {@link maxRestarts} times; beyond that
 * the role is in a restart loop and is left down. The harness's own `kill -9` (followed by a restart, or not)
 * is not counted as a crash.
 *
 * @module
 */
import { roleEnv, RoleProcess } from "../../support/role_process.ts";
import { note, sleep } from "./timing.ts";

/** How many crash restarts a role gets before it counts as a restart loop. */
export const maxRestarts = 3;

/** One supervised role: its processes one after another, and how often it crashed. */
export class SupervisedRole {
  readonly name: string;
  readonly #args: string[];
  readonly #env: Record<string, string>;
  /** Every process this role ran, oldest first (their logs are kept for evidence). */
  readonly processes: RoleProcess[] = [];
  /** Exits the harness did not cause, with their exit codes. */
  readonly crashes: number[] = [];
  readonly #killedByHarness = new Set<RoleProcess>();
  #down = false;
  #restarting: Promise<void> | undefined;

  constructor(name: string, args: string[], env: Record<string, string>) {
    this.name = name;
    this.#args = args;
    this.#env = env;
    this.#spawn();
  }

  /** The process running now (or the last one). */
  get current(): RoleProcess {
    return this.processes[this.processes.length - 1];
  }

  /** Crash restarts so far (the harness's own restarts after a kill are not counted). */
  get restarts(): number {
    return Math.min(this.crashes.length, maxRestarts);
  }

  /** Whether the role crashed more often than it may be restarted. */
  get inRestartLoop(): boolean {
    return this.crashes.length > maxRestarts;
  }

  #spawn(): void {
    const index = this.processes.length;
    const process = new RoleProcess(`${this.name}#${index}`, this.#args, roleEnv(this.#env));
    this.processes.push(process);
    process.status.then((status) => {
      if (this.#down || this.#killedByHarness.has(process)) return; // the harness stopped or killed it
      this.crashes.push(status.code);
      const detail = process.stderr.filter((l) => /"level":(50|60)/.test(l)).slice(-1)[0] ?? process.tail(2);
      note(
        `${this.name} exited with code ${status.code} on its own (crash ${this.crashes.length}): ${
          detail.slice(0, 400)
        }`,
      );
      if (this.inRestartLoop) {
        note(`${this.name}: restart loop (more than ${maxRestarts} crashes); left down`);
        return;
      }
      this.#restarting = sleep(1000).then(() => {
        if (!this.#down) this.#spawn();
      });
    });
  }

  /** `kill -9` of the running process, then (unless `restart` is false) a new one at once. */
  async kill9(restart = true): Promise<void> {
    const victim = this.current;
    this.#killedByHarness.add(victim);
    if (!restart) this.#down = true;
    await victim.stop("SIGKILL");
    if (restart) this.#spawn();
  }

  /** Stops the role for good: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#down = true;
    await this.#restarting;
    const process = this.current;
    const timer = setTimeout(() => process.stop("SIGKILL"), graceMs);
    await process.stop("SIGTERM");
    clearTimeout(timer);
  }
}
