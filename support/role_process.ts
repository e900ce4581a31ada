/**
 * Runs chain's roles as separate processes, the way a user starts them: `deno run <permissions> main.ts …`
 * with exactly the permissions of the `chain` task in deno.json (the ones `deno task compile` grants).
 * Used by `deno task start`, the end-to-end tests and the benchmark.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import { type RoleSpec, roleTable, type TopicSetting } from "../src/app/roles.ts";
import { settings } from "../src/app/settings.ts";

const root = new URL("../", import.meta.url).pathname;
// deno-lint-ignore no-control-regex
const denoDownload = /^(\x1b\[[0-9;]*m)*Download(\x1b\[[0-9;]*m)* https:\/\/registry\.npmjs\.org\//;

/** The permission flags of the `chain` task: what every role runs with, and what the compiled binary gets. */
export function chainPermissions(): string[] {
  return permissionFlags(denoJson.tasks.chain);
}

/** The `--allow-*` and `--deny-*` flags in a task's command line. */
export function permissionFlags(task: string): string[] {
  return task.split(/\s+/).filter((word) => /^--(allow|deny)-/.test(word));
}

/** A role (or any chain command) running as a child process, with its stderr lines collected. */
export class RoleProcess {
  readonly name: string;
  readonly #child: Deno.ChildProcess;
  readonly #stderrLines: string[] = [];
  readonly #stdoutLines: string[] = [];
  /** Waits for stderr lines; `read` lines of stderr have been tested so far, `matched` of them matched. */
  readonly #waiters: {
    pattern: RegExp;
    count: number;
    resolve: () => void;
    read: number;
    matched: number;
  }[] = [];
  readonly #pumps: Promise<void>[];
  readonly status: Promise<Deno.CommandStatus>;

  constructor(name: string, args: string[], env: Record<string, string>, options: { echo?: boolean } = {}) {
    this.name = name;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...chainPermissions(), `${root}main.ts`, ...args],
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#pumps = [
      this.#pump(this.#child.stdout, this.#stdoutLines, false),
      this.#pump(this.#child.stderr, this.#stderrLines, options.echo ?? false),
    ];
    this.status = this.#child.status;
  }

  /** The child's process id. */
  get pid(): number {
    return this.#child.pid;
  }

  async #pump(stream: ReadableStream<Uint8Array>, into: string[], echo: boolean): Promise<void> {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        // Deno's own note that it fetched npm metadata into its cache (a first run on a fresh machine), not the
        // role's output: kept out of what tests read. A compiled chain embeds its packages and never prints it.
        if (denoDownload.test(line)) continue;
        into.push(line);
        if (echo) console.error(`[${this.name}] ${line}`);
      }
      this.#check();
    }
    if (rest) into.push(rest);
    this.#check();
  }

  /**
   * Settles the waiters whose count is reached, reading only the lines each has not read yet: a wait for 60,000
   * lines (the bench's latency run) must not read every line again for each new one.
   */
  #check() {
    const lines = this.#stderrLines;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i];
      for (; w.read < lines.length; w.read++) if (w.pattern.test(lines[w.read])) w.matched++;
      if (w.matched >= w.count) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Lines the process wrote to stderr so far (its JSON log lines). */
  get stderr(): readonly string[] {
    return this.#stderrLines;
  }

  /** Lines the process wrote to stdout so far. */
  get stdout(): readonly string[] {
    return this.#stdoutLines;
  }

  /** How many stderr lines match `pattern`. */
  countStderr(pattern: RegExp): number {
    return this.#stderrLines.filter((line) => pattern.test(line)).length;
  }

  /** Resolves once `count` stderr lines match `pattern`; rejects if the process ends first or time runs out. */
  waitForStderr(pattern: RegExp, count = 1, timeoutMs = 120_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no ${count}× ${pattern} in ${timeoutMs} ms\n${this.tail()}`)),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.status.then((s) => {
        clearTimeout(timer);
        if (this.countStderr(pattern) < count) {
          reject(
            new Error(`${this.name} exited (code ${s.code}) before ${count}× ${pattern}\n${this.tail()}`),
          );
        }
      });
      this.#waiters.push({ pattern, count, resolve: done, read: 0, matched: 0 });
      this.#check();
    });
  }

  /** The last stderr lines, for failure messages. */
  tail(lines = 15): string {
    return this.#stderrLines.slice(-lines).join("\n");
  }

  /** Sends `signal` and waits for the process and its output to end. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone.
    }
    const status = await this.status;
    await Promise.all(this.#pumps);
    return status;
  }

  /** Waits for the process to end by itself, and for its output. */
  async finished(): Promise<Deno.CommandStatus> {
    const status = await this.status;
    await Promise.all(this.#pumps);
    return status;
  }
}

/**
 * The environment a role needs from this process: PATH and HOME (for Deno's cache), KAFKA_CLIENT, and the given
 * variables.
 * `HTTP_PORT` is 0 (a free port) unless given, so several roles of one kind can run on this host.
 */
export function roleEnv(vars: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = { HTTP_PORT: "0" };
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "KAFKA_CLIENT"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) env[name] = value;
  return env;
}

/** The variable of one of the chain's topics (INBOX_TOPIC, SERVICE_1_DLQ_TOPIC, …). */
type TopicVariable = (typeof settings)[TopicSetting]["env"];

/**
 * The topic variables of a chain whose topics all start with `prefix` (tests and the benchmark), one per topic
 * setting of src/app/roles.ts: each role's input is `<prefix>-<initials>` (`-cc`, `-s1`, `-s2`), its dead-letter
 * topic `<prefix>-<initials>-dlq`; and ROUTES_TOPIC, `<prefix>-routes`.
 */
export function topicEnv(prefix: string): Record<TopicVariable | "ROUTES_TOPIC", string> {
  const env = {} as Record<TopicVariable | "ROUTES_TOPIC", string>;
  for (const [role, spec] of Object.entries(roleTable) as [string, RoleSpec][]) {
    const initials = role.split("-").map((part) => part[0]).join("");
    if (spec.input !== undefined) env[settings[spec.input as TopicSetting].env] = `${prefix}-${initials}`;
    if (spec.deadLetter !== undefined) {
      env[settings[spec.deadLetter as TopicSetting].env] = `${prefix}-${initials}-dlq`;
    }
  }
  // The route registry's topic: each test chain has its own, seeded from its own routes file by init.
  env.ROUTES_TOPIC = `${prefix}-routes`;
  return env;
}
