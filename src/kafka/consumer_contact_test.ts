import assert from "node:assert/strict";
import { ConsumerContact } from "./consumer_contact.ts";

Deno.test("ConsumerContact is healthy only while joined and heard from lately", () => {
  const contact = new ConsumerContact("g1", "fetch or heartbeat");
  assert.equal(contact.health(), "consumer has not joined group g1");
  contact.joined();
  assert.equal(contact.health(), undefined);
  contact.left();
  assert.equal(contact.health(), "consumer has not joined group g1");
});
