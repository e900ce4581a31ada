import assert from "node:assert/strict";
import type { Confirmation } from "../src/fulfilment/mailer.ts";
import { mailerContract } from "../src/fulfilment/mailer_contract.ts";
import { SmtpMailer, SmtpSendError } from "../src/smtp/smtp_mailer.ts";
import { mailLine, startSmtpSink } from "../support/smtp_sink.ts";

const from = "orders@chain.example";

mailerContract("SmtpMailer", async (mode) => {
  const sink = await startSmtpSink({
    refuseRecipientsWith: mode === "refusing permanently"
      ? 550
      : mode === "refusing for now"
      ? 451
      : undefined,
  });
  const mailer = new SmtpMailer({ url: new URL(sink.url), from });
  return {
    mailer,
    probe: {
      received: () => Promise.resolve(sink.messages().map((m) => ({ requestId: m.requestId, to: m.to }))),
    },
    async cleanup() {
      await mailer.close();
      await sink.close();
    },
  };
});

function confirmation(requestId: string, to = "buyer@example.com"): Confirmation {
  return {
    requestId,
    orderId: `o-${requestId.slice(0, 8)}`,
    to,
    amount: 20,
    items: [{ sku: "sku-001", quantity: 2, price: 10 }],
  };
}

Deno.test("SmtpMailer sends confirmations a real SMTP server receives with the request_id headers", async () => {
  const sink = await startSmtpSink();
  const mailer = new SmtpMailer({ url: new URL(sink.url), from });
  try {
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    await mailer.sendConfirmation(confirmation(ids[0], "first@example.com"));
    await mailer.sendConfirmation(confirmation(ids[1], "second@example.com"));
    const mails = sink.messages();
    assert.deepEqual(mails.map((m) => m.requestId), ids);
    assert.deepEqual(mails.map((m) => m.messageId), ids.map((id) => `<${id}@chain>`));
    assert.deepEqual(mails.map((m) => m.to), [["first@example.com"], ["second@example.com"]]);
    assert.deepEqual(mails.map((m) => m.from), [from, from]);
    assert.deepEqual(mails.map((m) => m.subject), ids.map((id) => `Order o-${id.slice(0, 8)} confirmed`));
    assert.match(mails[0].raw, /2 x sku-001 at 10\.00/);
  } finally {
    await mailer.close();
    await sink.close();
  }
});

Deno.test("SmtpMailer rejects with a retriable SmtpSendError when the server is gone", async () => {
  const sink = await startSmtpSink();
  await sink.close();
  const mailer = new SmtpMailer({ url: new URL(sink.url), from });
  const requestId = crypto.randomUUID();
  try {
    await assert.rejects(mailer.sendConfirmation(confirmation(requestId)), (e: unknown) => {
      assert.ok(e instanceof SmtpSendError);
      assert.equal(e.retriable, true);
      assert.equal(e.requestId, requestId);
      assert.ok(e.message.startsWith(`SMTP send failed for request ${requestId}: `), e.message);
      assert.ok(!e.message.includes("sku-001"), "no mail body in the error");
      return true;
    });
  } finally {
    await mailer.close();
  }
});

Deno.test("SmtpMailer rejects a send after close() without connecting", async () => {
  const sink = await startSmtpSink();
  const mailer = new SmtpMailer({ url: new URL(sink.url), from });
  await mailer.close();
  try {
    await assert.rejects(mailer.sendConfirmation(confirmation(crypto.randomUUID())), (e: unknown) => {
      assert.ok(e instanceof SmtpSendError);
      assert.equal(e.retriable, false);
      assert.match(e.message, /the mailer is closed$/);
      return true;
    });
    assert.equal(sink.messages().length, 0);
  } finally {
    await sink.close();
  }
});

Deno.test("SmtpMailer rejects with a permanent SmtpSendError when the server refuses with 550", async () => {
  const sink = await startSmtpSink({ refuseRecipientsWith: 550 });
  const mailer = new SmtpMailer({ url: new URL(sink.url), from });
  try {
    await assert.rejects(mailer.sendConfirmation(confirmation(crypto.randomUUID())), (e: unknown) => {
      assert.ok(e instanceof SmtpSendError);
      assert.equal(e.retriable, false);
      assert.equal(e.responseCode, 550);
      assert.ok(!e.message.includes("buyer@example.com"), "the recipient's address stays out of the error");
      return true;
    });
    assert.equal(sink.messages().length, 0);
  } finally {
    await mailer.close();
    await sink.close();
  }
});

Deno.test("SmtpMailer rejects with a retriable SmtpSendError when the server defers with 451", async () => {
  const sink = await startSmtpSink({ refuseRecipientsWith: 451 });
  const mailer = new SmtpMailer({ url: new URL(sink.url), from });
  try {
    await assert.rejects(mailer.sendConfirmation(confirmation(crypto.randomUUID())), (e: unknown) => {
      assert.ok(e instanceof SmtpSendError);
      assert.equal(e.retriable, true);
      assert.equal(e.responseCode, 451);
      return true;
    });
  } finally {
    await mailer.close();
    await sink.close();
  }
});

Deno.test("smtp_sink.ts run as a process appends one JSON line per received mail to its --out file", async () => {
  const out = await Deno.makeTempFile({ suffix: ".jsonl" });
  const script = new URL("../support/smtp_sink.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", `--allow-write=${out}`, script, "--port", "0", "--out", out],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let printed = "";
    while (!printed.includes("\n")) {
      const { value, done } = await stdout.read();
      if (done) throw new Error(`smtp_sink.ts exited before printing its URL: ${printed}`);
      printed += value;
    }
    const url = printed.split("\n")[0];
    assert.match(url, /^smtp:\/\/127\.0\.0\.1:\d+$/);
    const mailer = new SmtpMailer({ url: new URL(url), from });
    const requestId = crypto.randomUUID();
    try {
      await mailer.sendConfirmation(confirmation(requestId));
    } finally {
      await mailer.close();
    }
    const written = (await Deno.readTextFile(out)).split("\n").filter((l) => l !== "");
    assert.deepEqual(written.map((l) => JSON.parse(l)), [{
      requestId,
      messageId: `<${requestId}@chain>`,
      to: ["buyer@example.com"],
      subject: `Order o-${requestId.slice(0, 8)} confirmed`,
    }]);
  } finally {
    child.kill("SIGTERM");
    await stdout.cancel();
    assert.equal((await child.status).code, 0, "stops cleanly on SIGTERM");
    await Deno.remove(out);
  }
});

Deno.test("mailLine() writes the fields the end-to-end test reads, null where a header is missing", () => {
  assert.equal(
    mailLine({ from: "a@x", to: ["b@x"], subject: "s", raw: "" }),
    '{"requestId":null,"messageId":null,"to":["b@x"],"subject":"s"}\n',
  );
});
