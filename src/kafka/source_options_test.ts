import assert from "node:assert/strict";
import { groupSession, SESSION_TIMEOUT_MS } from "./source_options.ts";

Deno.test("groupSession() heartbeats every quarter of the session, never more often than every 100 ms", () => {
  assert.deepEqual(groupSession(), { sessionTimeoutMs: SESSION_TIMEOUT_MS, heartbeatIntervalMs: 500 });
  assert.deepEqual(groupSession(45_000), { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 11_250 });
  assert.deepEqual(groupSession(6_001), { sessionTimeoutMs: 6_001, heartbeatIntervalMs: 1_500 });
  assert.deepEqual(groupSession(200), { sessionTimeoutMs: 200, heartbeatIntervalMs: 100 });
});
