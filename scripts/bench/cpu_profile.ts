/**
 * V8 CPU profiles of a role process taken through its inspector (`deno run --inspect=<address>`): a DevTools
 * protocol session, the profile's shape, and the self-time summary per package and per function that
 * `profile_role.ts` prints.
 *
 * @module
 */

/** One node of a V8 CPU profile's call tree. */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** A V8 CPU profile (`Profiler.stop`'s result): the call tree, the sampled node ids and the time between samples. */
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A DevTools-protocol session: `call` sends a method and resolves with its result. */
export interface InspectorSession {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

/**
 * Opens a DevTools-protocol session with the inspector at `address` (`host:port`), asking its HTTP endpoint for
 * the WebSocket address for up to 5 s while the process starts.
 *
 * @throws {Error} when no inspector answers at `address` in that time
 */
export async function inspectorSession(address: string): Promise<InspectorSession> {
  let target: string | undefined;
  for (let i = 0; i < 50 && !target; i++) {
    await new Promise((r) => setTimeout(r, 100));
    target = await fetch(`http://${address}/json/list`).then((r) => r.json()).then((l) =>
      l[0]?.webSocketDebuggerUrl
    )
      .catch(() => undefined);
  }
  if (!target) throw new Error(`no inspector answered at ${address} within 5 s`);
  const socket = new WebSocket(target);
  await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
  let nextId = 1;
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.error) call.reject(new Error(`inspector: ${message.error.message} (${message.error.code})`));
    else call.resolve(message.result);
  });
  // The process ended (or dropped the session): nothing pending will be answered.
  socket.addEventListener("close", () => {
    for (const call of pending.values()) {
      call.reject(new Error(`the inspector at ${address} closed the session`));
    }
    pending.clear();
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const messageId = nextId++;
      pending.set(messageId, { resolve, reject });
      socket.send(JSON.stringify({ id: messageId, method, params }));
    });
  return { call, close: () => socket.close() };
}

/** Prints self time per package (top 12) and per function (top 25) of `profile`. */
export function printSelfTime(profile: Profile): void {
  // Self time per node, then per function and per package.
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    // An npm package from Deno's cache or from node_modules (the innermost one, scope included), else chain's own.
    const pkg = url.match(/.*(?:npm\/registry\.npmjs\.org|node_modules)\/((?:@[^/]+\/)?[^/.][^/]*)\//)?.[1] ??
      (url.includes("/src/") ? "chain" : url === "" ? `(${functionName || "native"})` : "deno/node runtime");
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const name = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1)} %`;
  console.log("\nself time by package:");
  for (const [name, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${pct(us).padStart(7)}  ${name}`);
  }
  console.log("\nself time by function (top 25):");
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${pct(us).padStart(7)}  ${name}`);
  }
}
