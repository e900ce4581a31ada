import assert from "node:assert/strict";
import { SmtpMailer, SmtpSendError } from "../src/email/mailer.ts";
import { startSmtpSink } from "./support/smtp_sink.ts";

const confirmation = (requestId: string) => ({
  requestId,
  orderId: `o-${requestId.slice(0, 4)}`,
  to: "buyer@example.com",
  amount: 10,
  items: [{ sku: "sku-001", quantity: 1, price: 10 }],
});

Deno.test({
  name: "SmtpMailer sends confirmations a real SMTP server receives with the request_id headers",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const sink = await startSmtpSink();
    const mailer = new SmtpMailer({ url: sink.url, from: "orders@chain.example" });
    try {
      const ids = [crypto.randomUUID(), crypto.randomUUID()];
      for (const id of ids) await mailer.sendConfirmation(confirmation(id));
      const mails = sink.messages();
      assert.deepEqual(mails.map((m) => m.requestId), ids);
      assert.deepEqual(mails.map((m) => m.messageId), ids.map((id) => `<${id}@chain>`));
      assert.deepEqual(mails[0].to, ["buyer@example.com"]);
      assert.match(mails[0].subject ?? "", /^Order o-.* confirmed$/);
    } finally {
      await mailer.close();
      await sink.close();
    }
  },
});

Deno.test({
  name: "SmtpMailer reports an unreachable server as a retriable SmtpSendError",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const sink = await startSmtpSink();
    const url = sink.url;
    await sink.close();
    const mailer = new SmtpMailer({ url, from: "orders@chain.example" });
    try {
      await assert.rejects(mailer.sendConfirmation(confirmation(crypto.randomUUID())), (e: unknown) => {
        assert.ok(e instanceof SmtpSendError);
        assert.equal(e.retriable, true);
        assert.match(e.message, /^SMTP send failed for request /);
        return true;
      });
    } finally {
      await mailer.close();
    }
  },
});
