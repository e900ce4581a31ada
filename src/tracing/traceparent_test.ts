import assert from "node:assert/strict";
import {
  childOf,
  continueTrace,
  formatTraceparent,
  newSpanId,
  newTrace,
  newTraceId,
  parseTraceparent,
  SAMPLED,
} from "./traceparent.ts";

const valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

Deno.test("parseTraceparent() reads the spec's example and formatTraceparent() writes it back", () => {
  const context = parseTraceparent(valid);
  assert.deepEqual(context, {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    flags: 1,
  });
  assert.equal(formatTraceparent(context!), valid);
  assert.equal(
    formatTraceparent({ ...context!, flags: 0 }),
    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
  );
});

Deno.test("parseTraceparent() reads a future version, longer and with a dash after the flags, as version 00", () => {
  const future = "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-09-what-the-future-holds";
  assert.deepEqual(parseTraceparent(future), {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    flags: 9,
  });
  assert.equal(parseTraceparent("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")?.flags, 1);
  assert.equal(parseTraceparent(` ${valid}\t`)?.spanId, "b7ad6b7169203331", "folding whitespace ignored");
});

Deno.test("parseTraceparent() refuses every invalid value instead of throwing", () => {
  const invalid: (string | null | undefined)[] = [
    undefined,
    null,
    "",
    "garbage",
    valid.slice(0, 54), // too short
    `${valid}-extra`, // version 00 has nothing after the flags
    `${valid}x`,
    "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", // version ff is forbidden
    "00-00000000000000000000000000000000-b7ad6b7169203331-01", // all-zero trace id
    "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", // all-zero parent id
    "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", // upper case
    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333g-01", // not hex
    "00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01", // wrong separators
    "0-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-011",
    "00-0af7651916cd43dd8448eb211c80319-cb7ad6b7169203331-01",
    "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x", // a future version still needs the dash
  ];
  for (const value of invalid) assert.equal(parseTraceparent(value), undefined, JSON.stringify(value));
});

Deno.test("childOf() keeps the trace id and flags and makes a new span id", () => {
  const parent = parseTraceparent(valid)!;
  const child = childOf(parent);
  assert.equal(child.traceId, parent.traceId);
  assert.equal(child.flags, parent.flags);
  assert.notEqual(child.spanId, parent.spanId);
  assert.match(formatTraceparent(child), /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  assert.deepEqual(parseTraceparent(formatTraceparent(child)), child);
});

Deno.test("continueTrace() continues a valid header and starts a new sampled trace for an invalid one", () => {
  const continued = continueTrace(valid);
  assert.equal(continued.traceId, "0af7651916cd43dd8448eb211c80319c");
  assert.notEqual(continued.spanId, "b7ad6b7169203331");
  for (const bad of [undefined, "", "00-zz", valid.toUpperCase()]) {
    const fresh = continueTrace(bad);
    assert.notEqual(fresh.traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.equal(fresh.flags, SAMPLED);
    assert.ok(parseTraceparent(formatTraceparent(fresh)), "a new trace formats to a valid header");
  }
});

Deno.test("new ids are lower-case hex of the right length, not zero, and do not repeat", () => {
  const traces = new Set<string>();
  const spans = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const t = newTraceId();
    const s = newSpanId();
    assert.match(t, /^[0-9a-f]{32}$/);
    assert.match(s, /^[0-9a-f]{16}$/);
    traces.add(t);
    spans.add(s);
  }
  assert.equal(traces.size, 5000);
  assert.equal(spans.size, 5000);
  const t = newTrace();
  assert.notEqual(t.traceId, "0".repeat(32));
});
