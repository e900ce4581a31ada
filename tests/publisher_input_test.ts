/**
 * The publisher reading orders as JSON lines, run as a user runs it, against the real broker.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { roleEnv, RoleProcess } from "../support/role_process.ts";
import { serviceEnv, testKafka, uniqueName } from "../support/services.ts";

const key = Buffer.alloc(32, 9).toString("base64");

Deno.test({
  name:
    "publisher --input sends each JSON line, prints its request_id, and names a bad line without its content",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const inbox = uniqueName("input-inbox");
    const file = await Deno.makeTempFile({ suffix: ".jsonl" });
    const order = { orderId: "o-1", userId: "u-1", email: "u@example.com", amount: 5, items: [] };
    await Deno.writeTextFile(
      file,
      `${JSON.stringify(order)}\nsecret plaintext, not json\n\n${JSON.stringify(order)}\n`,
    );
    const admin = testKafka("input-test").admin();
    await admin.connect();
    try {
      const p = new RoleProcess(
        "publisher",
        ["--role", "publisher", "--input", file, "--progress", "off"],
        roleEnv({ ...serviceEnv(), INBOX_TOPIC: inbox, ENCRYPTION_KEY: key }),
      );
      const status = await p.finished();
      assert.equal(status.code, 1, "a bad line makes the run fail after sending the good ones");
      const ids = p.stdout.filter((l) => l !== "");
      assert.equal(ids.length, 2);
      for (const id of ids) assert.match(id, /^[0-9a-f-]{36}$/);
      assert.match(p.stderr.join("\n"), /input line 2 is not valid JSON/);
      assert.ok(!p.stderr.join("\n").includes("secret plaintext"));
      const offsets = await admin.fetchTopicOffsets(inbox);
      assert.equal(offsets.reduce((s, o) => s + Number(o.high), 0), 2);
    } finally {
      await admin.deleteTopics({ topics: [inbox] }).catch(() => {});
      await admin.disconnect();
      await Deno.remove(file);
    }
  },
});

Deno.test("publisher --input with a missing file stops in one line before connecting", async () => {
  const p = new RoleProcess(
    "publisher",
    ["--role", "publisher", "--input", "/nonexistent/orders.jsonl"],
    roleEnv({ KAFKA_BROKERS: "127.0.0.1:1", ENCRYPTION_KEY: key }),
  );
  const status = await p.finished();
  assert.equal(status.code, 2);
  assert.match(
    p.stderr.join("\n"),
    /^chain: --input \/ PUBLISH_INPUT: cannot open \/nonexistent\/orders.jsonl/,
  );
});
