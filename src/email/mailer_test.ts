import assert from "node:assert/strict";
import { confirmationMessage, parseSmtpUrl } from "./mailer.ts";

Deno.test("parseSmtpUrl() accepts smtp:// and smtps:// with a host and an optional port", () => {
  assert.equal(parseSmtpUrl("smtp://127.0.0.1:2525").port, "2525");
  assert.equal(parseSmtpUrl("smtps://mail.example.com").hostname, "mail.example.com");
});

Deno.test("parseSmtpUrl() rejects other schemes and non-URLs without echoing a password", () => {
  assert.throws(() => parseSmtpUrl("http://mail:25"), { name: "TypeError", message: /scheme "http:"/ });
  assert.throws(() => parseSmtpUrl("mail:25 nope"), TypeError);
  try {
    parseSmtpUrl("ftp://user:hunter2@mail:25");
  } catch (error) {
    assert.ok(!(error as Error).message.includes("hunter2"));
  }
});

Deno.test("confirmationMessage() ties the mail to the request_id and lists the items", () => {
  const m = confirmationMessage({
    requestId: "550e8400-e29b-41d4-a716-446655440000",
    orderId: "o-9",
    to: "u@example.com",
    amount: 17.5,
    items: [{ sku: "sku-001", quantity: 2, price: 8.75 }],
  }, "orders@chain.example");
  assert.equal(m.messageId, "<550e8400-e29b-41d4-a716-446655440000@chain>");
  assert.equal(m.headers["X-Chain-Request-Id"], "550e8400-e29b-41d4-a716-446655440000");
  assert.equal(m.subject, "Order o-9 confirmed");
  assert.match(m.text, /2 x sku-001 at 8\.75/);
  assert.match(m.text, /Total: 17\.50/);
});
