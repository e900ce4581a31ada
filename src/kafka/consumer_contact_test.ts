import assert from "node:assert/strict";
import { ConsumerContact, CONTACT_TIMEOUT_MS } from "./consumer_contact.ts";

Deno.test("ConsumerContact is healthy only while joined and heard from lately", () => {
  const contact = new ConsumerContact("g1", "fetch or heartbeat");
  assert.equal(contact.health(), "consumer has not joined group g1");
  contact.joined();
  assert.equal(contact.health(), undefined);
  contact.left();
  assert.equal(contact.health(), "consumer has not joined group g1");
});

Deno.test("ConsumerContact counts a joined consumer as cut off once Kafka is silent past the timeout", () => {
  let now = 1_000;
  const contact = new ConsumerContact("g1", "fetch or heartbeat", { now: () => now });
  contact.joined();
  now += CONTACT_TIMEOUT_MS;
  assert.equal(contact.health(), undefined, "silent for exactly the timeout is still in touch");
  now += 1;
  assert.equal(contact.health(), "no fetch or heartbeat from Kafka for 5 s");
  now += 7_000;
  assert.equal(contact.health(), "no fetch or heartbeat from Kafka for 12 s");
  contact.heard();
  assert.equal(contact.health(), undefined, "hearing from Kafka again ends the silence");
  now += CONTACT_TIMEOUT_MS + 1;
  assert.equal(contact.health(), "no fetch or heartbeat from Kafka for 5 s");
  contact.left();
  assert.equal(contact.health(), "consumer has not joined group g1", "not being in the group comes first");
});
