/**
 * What `/ready` answers: each part of a role registers a check that returns undefined when that part is ready or
 * a short reason when it is not ("consumer has not joined its group", "no Cassandra host connected"). The role
 * is ready when every check passes.
 *
 * @module
 */

/** A check: undefined when ready, otherwise what is missing. */
export type Check = () => string | undefined;

/** The named checks of one process. */
export class Readiness {
  readonly #checks = new Map<string, Check>();

  /** Adds or replaces the check called `name`. */
  add(name: string, check: Check): void {
    this.#checks.set(name, check);
  }

  /** Whether every check passes, and the reasons of those that do not. */
  status(): { ready: boolean; missing: string[] } {
    const missing: string[] = [];
    for (const [name, check] of this.#checks) {
      let reason: string | undefined;
      try {
        reason = check();
      } catch (error) {
        reason = `check failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (reason !== undefined) missing.push(`${name}: ${reason}`);
    }
    return { ready: missing.length === 0, missing };
  }
}
