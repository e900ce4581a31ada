import assert from "node:assert/strict";
import { confirmationMessage, isRetriableSmtpFailure, parseSmtpUrl, SmtpSendError } from "./smtp_mailer.ts";

Deno.test("parseSmtpUrl() accepts smtp:// and smtps:// with a host, an optional port and credentials", () => {
  assert.equal(parseSmtpUrl("smtp://127.0.0.1:2525").port, "2525");
  assert.equal(parseSmtpUrl("smtps://mail.example.com").hostname, "mail.example.com");
  assert.equal(parseSmtpUrl("smtp://[::1]:25").hostname, "[::1]");
  const withUser = parseSmtpUrl("smtps://orders%40chain:p%40ss@mail.example.com:465");
  assert.equal(decodeURIComponent(withUser.username), "orders@chain");
  assert.equal(decodeURIComponent(withUser.password), "p@ss");
});

Deno.test("parseSmtpUrl() rejects another scheme with a TypeError naming it", () => {
  assert.throws(() => parseSmtpUrl("http://mail:25"), {
    name: "TypeError",
    message: 'SMTP_URL must be smtp://host[:port] or smtps://host[:port], got scheme "http:"',
  });
});

Deno.test("parseSmtpUrl() rejects text that is not a URL with a TypeError", () => {
  assert.throws(() => parseSmtpUrl("mail:25 nope"), TypeError);
  assert.throws(() => parseSmtpUrl(""), { name: "TypeError", message: /is not a URL/ });
});

Deno.test("parseSmtpUrl() rejects a URL without a host with a TypeError", () => {
  assert.throws(() => parseSmtpUrl("smtp:relay"), { name: "TypeError", message: /has no host/ });
});

Deno.test("parseSmtpUrl() rejects ports 0 and above 65535 with a RangeError", () => {
  assert.throws(() => parseSmtpUrl("smtp://mail:0"), { name: "RangeError", message: /1-65535, got 0$/ });
  assert.throws(() => parseSmtpUrl("smtp://mail:65536"), { name: "RangeError", message: /got 65536$/ });
  assert.throws(() => parseSmtpUrl("smtp://u:pw@mail:99999"), { name: "RangeError", message: /got 99999$/ });
});

Deno.test("parseSmtpUrl() never echoes a password in its errors", () => {
  for (
    const text of ["ftp://user:hunter2@mail:25", "smtp://user:hunter2@mail:0", "smtp://user:hunter2@ma il"]
  ) {
    assert.throws(() => parseSmtpUrl(text), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.ok(!error.message.includes("hunter2"), error.message);
      return true;
    });
  }
});

Deno.test("confirmationMessage() ties the mail to the request_id and lists the items and the total", () => {
  const m = confirmationMessage({
    requestId: "550e8400-e29b-41d4-a716-446655440000",
    orderId: "o-9",
    to: "u@example.com",
    amount: 17.5,
    items: [{ sku: "sku-001", quantity: 2, price: 8.75 }, { sku: "sku-002", quantity: 1, price: 0 }],
  }, "orders@chain.example");
  assert.equal(m.from, "orders@chain.example");
  assert.equal(m.to, "u@example.com");
  assert.equal(m.messageId, "<550e8400-e29b-41d4-a716-446655440000@chain>");
  assert.deepEqual(m.headers, { "X-Chain-Request-Id": "550e8400-e29b-41d4-a716-446655440000" });
  assert.equal(m.subject, "Order o-9 confirmed");
  assert.equal(
    m.text,
    "Your order o-9 is confirmed.\n\n  2 x sku-001 at 8.75\n  1 x sku-002 at 0.00\n\nTotal: 17.50\n",
  );
});

Deno.test("confirmationMessage() gives the same Message-ID to the same request, so duplicates show", () => {
  const c = { requestId: "r-1", orderId: "o-1", to: "u@example.com", amount: 1, items: [] };
  assert.deepEqual(confirmationMessage(c, "a@example.com"), confirmationMessage({ ...c }, "a@example.com"));
});

Deno.test("isRetriableSmtpFailure() retries connection faults, timeouts and 4xx, not 5xx rejections", () => {
  assert.equal(isRetriableSmtpFailure({ code: "ESOCKET" }), true);
  assert.equal(isRetriableSmtpFailure({ code: "ECONNECTION" }), true);
  assert.equal(isRetriableSmtpFailure({ code: "ETIMEDOUT" }), true);
  assert.equal(isRetriableSmtpFailure({}), true);
  assert.equal(isRetriableSmtpFailure({ code: "EENVELOPE", responseCode: 451 }), true);
  assert.equal(isRetriableSmtpFailure({ code: "EPROTOCOL", responseCode: 421 }), true);
  assert.equal(isRetriableSmtpFailure({ code: "EPROTOCOL", responseCode: 503 }), true);
  assert.equal(isRetriableSmtpFailure({ code: "EENVELOPE", responseCode: 550 }), false);
  assert.equal(isRetriableSmtpFailure({ code: "EMESSAGE", responseCode: 554 }), false);
  assert.equal(isRetriableSmtpFailure({ code: "EAUTH", responseCode: 535 }), false);
  assert.equal(isRetriableSmtpFailure({ code: "EENVELOPE" }), false);
});

Deno.test("SmtpSendError names the request and carries retriable, code and responseCode", () => {
  const e = new SmtpSendError("r-1", "Message failed: 552 too big", {
    retriable: false,
    code: "EMESSAGE",
    responseCode: 552,
  });
  assert.equal(e.name, "SmtpSendError");
  assert.equal(e.message, "SMTP send failed for request r-1: Message failed: 552 too big");
  assert.equal(e.requestId, "r-1");
  assert.equal(e.retriable, false);
  assert.equal(e.code, "EMESSAGE");
  assert.equal(e.responseCode, 552);
  assert.ok(e instanceof Error);
});
