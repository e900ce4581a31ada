import assert from "node:assert/strict";
import { formatLagJson, formatLagSeconds, formatLagTable, lagExitCode } from "./lag_report.ts";
import type { TopicLag } from "./lag_status.ts";

function row(overrides: Partial<TopicLag>): TopicLag {
  return {
    group: "service-1",
    topic: "service-1-topic",
    partitions: 3,
    totalLag: 0,
    worst: { partition: 0, lag: 0 },
    lagSeconds: 0,
    lagSecondsFrom: null,
    status: "OK",
    byPartition: [],
    ...overrides,
  };
}

Deno.test("formatLagTable() prints fixed-width columns, numbers right-aligned", () => {
  const text = formatLagTable([
    row({}),
    row({
      group: "command-center",
      topic: "command-center-inbox",
      totalLag: 1234,
      worst: { partition: 2, lag: 1000 },
      lagSeconds: 42.4,
      lagSecondsFrom: "record",
      status: "STALLED",
    }),
  ]);
  assert.equal(
    text,
    [
      "group           topic                 partitions  total lag  worst (p: lag)  lag s  status",
      "service-1       service-1-topic                3          0            0: 0      0  OK",
      "command-center  command-center-inbox           3       1234         2: 1000     42  STALLED",
      "",
    ].join("\n"),
  );
});

Deno.test("formatLagSeconds() marks rate estimates with ~ and unknowns with -", () => {
  assert.equal(formatLagSeconds({ lagSeconds: null, lagSecondsFrom: null }), "-");
  assert.equal(formatLagSeconds({ lagSeconds: 3.25, lagSecondsFrom: "rate" }), "~3.3");
  assert.equal(formatLagSeconds({ lagSeconds: 3.25, lagSecondsFrom: "record" }), "3.3");
  assert.equal(formatLagSeconds({ lagSeconds: 125.6, lagSecondsFrom: "record" }), "126");
});

Deno.test("lagExitCode() is 0 only when every row is OK; the JSON says the same", () => {
  assert.equal(lagExitCode([row({}), row({})]), 0);
  assert.equal(lagExitCode([row({}), row({ status: "FALLING_BEHIND" })]), 1);
  assert.equal(lagExitCode([]), 0);
  const parsed = JSON.parse(formatLagJson([row({ status: "STOPPED", totalLag: 5 })]));
  assert.equal(parsed.ok, false);
  assert.equal(parsed.rows[0].status, "STOPPED");
  assert.equal(parsed.rows[0].totalLag, 5);
});
