import assert from "node:assert/strict";
import {
  enrichOrder,
  GENERATED_SKUS,
  generateOrder,
  INVALID_AMOUNTS,
  isEnrichedOrder,
  type Order,
  parseEnrichedOrder,
  validateOrder,
} from "./order.ts";
import { seededRandom } from "./seeded_random.ts";
import { PayloadError } from "../failure/payload_error.ts";

function validOrder(): Order {
  return {
    orderId: "ord-1-abc123",
    userId: "user-7",
    email: "user-7@example.com",
    amount: 42.5,
    items: [{ sku: "sku-001", quantity: 2, price: 21.25 }],
  };
}

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...validOrder(), [field]: value };
}

function withItem(item: Record<string, unknown>): Record<string, unknown> {
  return { ...validOrder(), items: [validOrder().items[0], validOrder().items[0], item] };
}

function assertInvalid(input: unknown, expectedReason: string): void {
  assert.deepEqual(validateOrder(input), { status: "invalid", reason: expectedReason });
}

const AMOUNT_RANGE = "amount must be > 0 and < 10000";
const NOW = new Date("2024-05-01T12:00:00.000Z");

// --- amount bounds ---

Deno.test("validateOrder() rejects amount 0", () => {
  assertInvalid(withField("amount", 0), AMOUNT_RANGE);
});

Deno.test("validateOrder() accepts amount 0.01", () => {
  assert.deepEqual(validateOrder(withField("amount", 0.01)), { status: "valid" });
});

Deno.test("validateOrder() accepts amount 9999.99", () => {
  assert.deepEqual(validateOrder(withField("amount", 9999.99)), { status: "valid" });
});

Deno.test("validateOrder() rejects amount 10000", () => {
  assertInvalid(withField("amount", 10000), AMOUNT_RANGE);
});

Deno.test("validateOrder() rejects amount -1", () => {
  assertInvalid(withField("amount", -1), AMOUNT_RANGE);
});

Deno.test("validateOrder() rejects amount NaN", () => {
  assertInvalid(withField("amount", NaN), "amount must be a finite number");
});

Deno.test("validateOrder() rejects amount Infinity", () => {
  assertInvalid(withField("amount", Infinity), "amount must be a finite number");
});

Deno.test('validateOrder() rejects the string amount "100"', () => {
  assertInvalid(withField("amount", "100"), "amount must be a number");
});

Deno.test("validateOrder() rejects a missing amount", () => {
  const { amount: _amount, ...rest } = validOrder();
  assertInvalid(rest, "amount must be a number");
});

// --- other field rules ---

Deno.test("validateOrder() accepts a well-formed order", () => {
  assert.deepEqual(validateOrder(validOrder()), { status: "valid" });
});

Deno.test("validateOrder() accepts extra unknown fields", () => {
  assert.deepEqual(validateOrder(withField("note", "gift")), { status: "valid" });
});

Deno.test("validateOrder() rejects input that is not a plain object", () => {
  assertInvalid("order", "order must be an object, got string");
  assertInvalid(null, "order must be an object, got null");
  assertInvalid([validOrder()], "order must be an object, got array");
  assertInvalid(undefined, "order must be an object, got undefined");
  assertInvalid(new Date(), "order must be an object, got object");
});

Deno.test("validateOrder() rejects a missing, empty, non-string or over-long orderId", () => {
  const reason = "orderId must be a non-empty string of at most 128 characters";
  const { orderId: _orderId, ...rest } = validOrder();
  assertInvalid(rest, reason);
  assertInvalid(withField("orderId", ""), reason);
  assertInvalid(withField("orderId", 12), reason);
  assertInvalid(withField("orderId", "x".repeat(129)), reason);
  assert.deepEqual(validateOrder(withField("orderId", "x".repeat(128))), { status: "valid" });
});

Deno.test("validateOrder() rejects a missing, empty, non-string or over-long userId", () => {
  const reason = "userId must be a non-empty string of at most 128 characters";
  const { userId: _userId, ...rest } = validOrder();
  assertInvalid(rest, reason);
  assertInvalid(withField("userId", ""), reason);
  assertInvalid(withField("userId", { id: 1 }), reason);
  assertInvalid(withField("userId", "u".repeat(129)), reason);
  assert.deepEqual(validateOrder(withField("userId", "u".repeat(128))), { status: "valid" });
});

Deno.test("validateOrder() rejects an email that does not look like an address", () => {
  const reason = "email must be an address like name@example.com of at most 254 characters";
  for (
    const email of ["", "plain", "a@b", "@example.com", "a@.com", "a b@example.com", "a@@example.com", 7]
  ) {
    assertInvalid(withField("email", email), reason);
  }
});

Deno.test("validateOrder() rejects an email longer than 254 characters", () => {
  const reason = "email must be an address like name@example.com of at most 254 characters";
  const domain = "@example.com";
  assertInvalid(withField("email", "a".repeat(255 - domain.length) + domain), reason);
  assert.deepEqual(validateOrder(withField("email", "a".repeat(254 - domain.length) + domain)), {
    status: "valid",
  });
});

Deno.test("validateOrder() rejects missing, empty, non-array or over-long items", () => {
  const reason = "items must be a non-empty array of at most 100 items";
  const { items: _items, ...rest } = validOrder();
  assertInvalid(rest, reason);
  assertInvalid(withField("items", []), reason);
  assertInvalid(withField("items", { 0: validOrder().items[0] }), reason);
  const item = validOrder().items[0];
  assertInvalid(withField("items", Array.from({ length: 101 }, () => item)), reason);
  assert.deepEqual(validateOrder(withField("items", Array.from({ length: 100 }, () => item))), {
    status: "valid",
  });
});

Deno.test("validateOrder() rejects an item that is not an object, naming its index", () => {
  const order = withField("items", [validOrder().items[0], "sku-002"]);
  assertInvalid(order, "items[1] must be an object, got string");
});

Deno.test("validateOrder() rejects an item sku that is missing, empty or longer than 64", () => {
  const reason = "items[2].sku must be a non-empty string of at most 64 characters";
  assertInvalid(withItem({ quantity: 1, price: 1 }), reason);
  assertInvalid(withItem({ sku: "", quantity: 1, price: 1 }), reason);
  assertInvalid(withItem({ sku: "s".repeat(65), quantity: 1, price: 1 }), reason);
  assert.deepEqual(validateOrder(withItem({ sku: "s".repeat(64), quantity: 1, price: 1 })), {
    status: "valid",
  });
});

Deno.test("validateOrder() rejects an item quantity that is not an integer from 1 to 1000", () => {
  const reason = "items[2].quantity must be an integer from 1 to 1000";
  for (const quantity of [0, -1, 1001, 1.5, "2", NaN, undefined]) {
    assertInvalid(withItem({ sku: "sku-003", quantity, price: 1 }), reason);
  }
  for (const quantity of [1, 1000]) {
    assert.deepEqual(validateOrder(withItem({ sku: "sku-003", quantity, price: 1 })), { status: "valid" });
  }
});

Deno.test("validateOrder() rejects an item price that is negative or not a finite number", () => {
  const reason = "items[2].price must be a finite number >= 0";
  for (const price of [-0.01, NaN, Infinity, "1.00", undefined]) {
    assertInvalid(withItem({ sku: "sku-003", quantity: 1, price }), reason);
  }
  assert.deepEqual(validateOrder(withItem({ sku: "sku-003", quantity: 1, price: 0 })), { status: "valid" });
});

Deno.test("validateOrder() reasons never echo the offending value", () => {
  const secret = "secret-value-1234";
  const inputs = [
    withField("orderId", secret.repeat(20)),
    withField("email", secret),
    withField("amount", secret),
    withItem({ sku: secret.repeat(10), quantity: 1, price: 1 }),
  ];
  for (const input of inputs) {
    const validation = validateOrder(input);
    assert.equal(validation.status, "invalid");
    assert.ok(validation.status === "invalid" && !validation.reason.includes(secret));
  }
});

// --- enrichOrder ---

Deno.test("enrichOrder() keeps a valid order's fields and marks it valid", () => {
  const order = validOrder();
  const enriched = enrichOrder(order, validateOrder(order), "service-1", NOW);
  assert.deepEqual(enriched, {
    ...order,
    processedBy: "service-1",
    validationStatus: "valid",
    validatedAt: "2024-05-01T12:00:00.000Z",
  });
  assert.ok(!("validationReason" in enriched));
});

Deno.test("enrichOrder() keeps an invalid order's fields as given and records the reason", () => {
  const input = withField("amount", "100");
  const enriched = enrichOrder(input, validateOrder(input), "service-1", NOW);
  assert.deepEqual(enriched, {
    ...input,
    processedBy: "service-1",
    validationStatus: "invalid",
    validationReason: "amount must be a number",
    validatedAt: "2024-05-01T12:00:00.000Z",
  });
});

Deno.test("enrichOrder() keeps nothing of a non-object input and names its type in the reason", () => {
  const enriched = enrichOrder([1, 2], validateOrder([1, 2]), "service-1", NOW);
  assert.deepEqual(enriched, {
    processedBy: "service-1",
    validationStatus: "invalid",
    validationReason: "order must be an object, got array",
    validatedAt: "2024-05-01T12:00:00.000Z",
  });
});

Deno.test("enrichOrder() marks a non-object invalid even if told it is valid", () => {
  const enriched = enrichOrder("text", { status: "valid" }, "service-1", NOW);
  assert.equal(enriched.validationStatus, "invalid");
  assert.equal(enriched.validationReason, "order must be an object, got string");
});

Deno.test("enrichOrder() replaces enrichment fields the input already carried", () => {
  const input = { ...validOrder(), processedBy: "someone", validationReason: "stale", validatedAt: "x" };
  const enriched = enrichOrder(input, { status: "valid" }, "service-1", NOW);
  assert.equal(enriched.processedBy, "service-1");
  assert.equal(enriched.validatedAt, "2024-05-01T12:00:00.000Z");
  assert.ok(!("validationReason" in enriched));
});

// --- parseEnrichedOrder / isEnrichedOrder ---

Deno.test("parseEnrichedOrder() accepts what enrichOrder() produces for a valid order", () => {
  const enriched = enrichOrder(validOrder(), { status: "valid" }, "service-1", NOW);
  const roundTripped: unknown = JSON.parse(JSON.stringify(enriched));
  assert.deepEqual(parseEnrichedOrder(roundTripped), enriched);
  assert.equal(isEnrichedOrder(roundTripped), true);
});

Deno.test("parseEnrichedOrder() accepts an invalid order with its reason", () => {
  const input = withField("amount", 0);
  const enriched = enrichOrder(input, validateOrder(input), "service-1", NOW);
  assert.deepEqual(parseEnrichedOrder(JSON.parse(JSON.stringify(enriched))), enriched);
});

Deno.test("parseEnrichedOrder() rejects a non-object", () => {
  assert.throws(
    () => parseEnrichedOrder("x"),
    new PayloadError("Invalid enriched order: order must be an object, got string"),
  );
  assert.equal(isEnrichedOrder(null), false);
});

Deno.test("parseEnrichedOrder() rejects a missing or empty processedBy", () => {
  const { processedBy: _p, ...rest } = enrichOrder(validOrder(), { status: "valid" }, "service-1", NOW);
  assert.throws(() => parseEnrichedOrder(rest), { name: "PayloadError", message: /processedBy/ });
  assert.throws(() => parseEnrichedOrder({ ...rest, processedBy: "" }), {
    name: "PayloadError",
    message: /processedBy/,
  });
});

Deno.test("parseEnrichedOrder() rejects a missing or malformed validatedAt", () => {
  const enriched = enrichOrder(validOrder(), { status: "valid" }, "service-1", NOW);
  for (const validatedAt of [undefined, 1714564800000, "yesterday", "2024-13-45T99:00:00.000Z"]) {
    assert.throws(() => parseEnrichedOrder({ ...enriched, validatedAt }), {
      name: "PayloadError",
      message: /validatedAt/,
    });
  }
});

Deno.test("parseEnrichedOrder() rejects an unknown validationStatus", () => {
  const enriched = enrichOrder(validOrder(), { status: "valid" }, "service-1", NOW);
  for (const validationStatus of [undefined, "VALID", true]) {
    assert.throws(() => parseEnrichedOrder({ ...enriched, validationStatus }), {
      name: "PayloadError",
      message: /validationStatus must be "valid" or "invalid"/,
    });
  }
});

Deno.test("parseEnrichedOrder() rejects an invalid order without a reason", () => {
  const enriched = enrichOrder(validOrder(), { status: "valid" }, "service-1", NOW);
  assert.throws(() => parseEnrichedOrder({ ...enriched, validationStatus: "invalid" }), {
    name: "PayloadError",
    message: /validationReason must be a non-empty string/,
  });
});

Deno.test("parseEnrichedOrder() rejects a valid order that carries a reason", () => {
  const enriched = enrichOrder(validOrder(), { status: "valid" }, "service-1", NOW);
  assert.throws(() => parseEnrichedOrder({ ...enriched, validationReason: "oops" }), {
    name: "PayloadError",
    message: /validationReason must be absent/,
  });
});

Deno.test("parseEnrichedOrder() re-validates an order marked valid", () => {
  const enriched = enrichOrder(withField("amount", 25000.5), { status: "valid" }, "service-1", NOW);
  assert.throws(
    () => parseEnrichedOrder(enriched),
    new PayloadError("Invalid enriched order: marked valid but amount must be > 0 and < 10000"),
  );
  assert.equal(isEnrichedOrder(enriched), false);
});

// --- generateOrder ---

Deno.test("generateOrder() is deterministic for a seeded random", () => {
  const first = Array.from({ length: 20 }, (_, index) => {
    const random = seededRandom(1234 + index);
    return generateOrder(random, { invalidAmount: index % 2 === 0, index });
  });
  const second = Array.from({ length: 20 }, (_, index) => {
    const random = seededRandom(1234 + index);
    return generateOrder(random, { invalidAmount: index % 2 === 0, index });
  });
  assert.deepEqual(first, second);
  assert.notDeepEqual(generateOrder(seededRandom(1), { invalidAmount: true, index: 0 }), first[0]);
});

Deno.test("generateOrder() produces valid orders of the documented shape when invalidAmount is false", () => {
  const random = seededRandom(42);
  for (let index = 0; index < 200; index++) {
    const order = generateOrder(random, { invalidAmount: false, index });
    assert.deepEqual(validateOrder(order), { status: "valid" }, `index ${index}`);
    assert.match(order.orderId, new RegExp(`^ord-${index}-[0-9a-z]{6}$`));
    assert.match(order.userId, /^user-\d+$/);
    assert.equal(order.email, `${order.userId}@example.com`);
    assert.ok(order.items.length >= 1 && order.items.length <= 3);
    let totalCents = 0;
    for (const item of order.items) {
      assert.ok(GENERATED_SKUS.includes(item.sku));
      assert.ok(item.quantity >= 1 && item.quantity <= 5);
      assert.equal(Math.round(item.price * 100) / 100, item.price);
      totalCents += Math.round(item.price * 100) * item.quantity;
    }
    assert.equal(order.amount, totalCents / 100);
  }
});

Deno.test("generateOrder() produces orders that fail on amount when invalidAmount is true", () => {
  const random = seededRandom(7);
  const seen = new Set<number>();
  for (let index = 0; index < 200; index++) {
    const order = generateOrder(random, { invalidAmount: true, index });
    assert.ok(INVALID_AMOUNTS.includes(order.amount));
    seen.add(order.amount);
    const validation = validateOrder(order);
    assert.equal(validation.status, "invalid", `index ${index}`);
    assert.ok(validation.status === "invalid" && validation.reason.startsWith("amount"));
  }
  assert.equal(seen.size, INVALID_AMOUNTS.length);
});

Deno.test("generateOrder() uses SKUs sku-001 to sku-010", () => {
  assert.deepEqual(
    GENERATED_SKUS,
    Array.from({ length: 10 }, (_, i) => `sku-0${String(i + 1).padStart(2, "0")}`),
  );
});

Deno.test("generateOrder() rejects a negative or fractional index", () => {
  for (const index of [-1, 1.5, NaN]) {
    assert.throws(() => generateOrder(seededRandom(1), { invalidAmount: false, index }), RangeError);
  }
});

Deno.test("generateOrder() rejects a random() that returns values outside [0, 1)", () => {
  assert.throws(() => generateOrder(() => 1, { invalidAmount: false, index: 0 }), {
    name: "RangeError",
    message: /random\(\) must return a number in \[0, 1\)/,
  });
});
