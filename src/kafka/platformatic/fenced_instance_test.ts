import assert from "node:assert/strict";
import { tracingChannel } from "node:diagnostics_channel";
import { isFencedInstance, watchFencing } from "./fenced_instance.ts";

Deno.test("isFencedInstance() finds FENCED_INSTANCE_ID on the error or nested in its errors", () => {
  assert.equal(isFencedInstance({ apiId: "FENCED_INSTANCE_ID" }), true);
  assert.equal(
    isFencedInstance({
      errors: [{ apiId: "REBALANCE_IN_PROGRESS" }, { errors: [{ apiId: "FENCED_INSTANCE_ID" }] }],
    }),
    true,
  );
  assert.equal(
    isFencedInstance({ apiId: "UNKNOWN_MEMBER_ID", errors: [{ apiId: "ILLEGAL_GENERATION" }] }),
    false,
  );
  assert.equal(
    isFencedInstance(new Error("FENCED_INSTANCE_ID")),
    false,
    "only the code counts, not a message",
  );
  assert.equal(isFencedInstance(undefined), false);
});

Deno.test("watchFencing() calls back for its own client's fenced heartbeat, before the caller's callback", () => {
  const heartbeat = tracingChannel("plt:kafka:consumer:heartbeat");
  const mine = {};
  const other = {};
  const seen: string[] = [];
  const stop = watchFencing(mine, () => seen.push("fenced"));
  const fail = (client: object, error: unknown) =>
    heartbeat.traceCallback(
      (callback: (error: unknown) => void) => callback(error),
      0,
      { client },
      undefined,
      () => seen.push("library callback"),
    );
  try {
    fail(other, { apiId: "FENCED_INSTANCE_ID" });
    fail(mine, { apiId: "REBALANCE_IN_PROGRESS" });
    assert.deepEqual(seen, ["library callback", "library callback"]);
    seen.length = 0;
    fail(mine, { errors: [{ apiId: "FENCED_INSTANCE_ID" }] });
    assert.deepEqual(seen, ["fenced", "library callback"]);
  } finally {
    stop();
  }
  seen.length = 0;
  fail(mine, { apiId: "FENCED_INSTANCE_ID" });
  assert.deepEqual(seen, ["library callback"], "no longer watched");
});
