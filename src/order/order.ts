/**
 * Orders as they travel through chain: validation, enrichment by a service,
 * re-checking an enriched order downstream, and generating test orders.
 *
 * Every reason string names the field and the rule it broke and never
 * echoes the offending value, so it is safe to put on a dead-letter record.
 *
 * @module
 */
import { PayloadError } from "../failure/payload_error.ts";

/** One line of an order. */
export interface OrderItem {
  sku: string;
  quantity: number;
  price: number;
}

/** An order as the initial publisher produces it. */
export interface Order {
  orderId: string;
  userId: string;
  email: string;
  amount: number;
  items: OrderItem[];
}

/** The outcome of {@linkcode validateOrder}. */
export type Validation = { status: "valid" } | { status: "invalid"; reason: string };

/** The fields a service adds when it enriches an order. */
export interface Enrichment {
  processedBy: string;
  validationStatus: "valid" | "invalid";
  /** Present only when `validationStatus` is `"invalid"`. */
  validationReason?: string;
  /** ISO 8601 timestamp, e.g. `"2024-05-01T12:00:00.000Z"`. */
  validatedAt: string;
}

/**
 * An order with the enrichment fields added. Order fields are kept as they
 * arrived, so for an invalid order they may be missing or of any type.
 */
export type EnrichedOrder = Partial<Order> & Record<string, unknown> & Enrichment;

/** Exclusive lower bound of a valid order amount. */
export const MIN_AMOUNT_EXCLUSIVE = 0;
/** Exclusive upper bound of a valid order amount. */
export const MAX_AMOUNT_EXCLUSIVE = 10000;

const MAX_ID_LENGTH = 128;
const MAX_EMAIL_LENGTH = 254;
const MAX_ITEMS = 100;
const MAX_SKU_LENGTH = 64;
const MIN_QUANTITY = 1;
const MAX_QUANTITY = 1000;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const ISO_TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const ENRICHMENT_KEYS: readonly string[] = [
  "processedBy",
  "validationStatus",
  "validationReason",
  "validatedAt",
];

/** The fixed list of SKUs {@linkcode generateOrder} picks from. */
export const GENERATED_SKUS: readonly string[] = Array.from(
  { length: 10 },
  (_, i) => `sku-${String(i + 1).padStart(3, "0")}`,
);

/** Amounts {@linkcode generateOrder} uses when asked for an invalid order. */
export const INVALID_AMOUNTS: readonly number[] = [0, -5, 10000, 25000.5];

/**
 * Checks that `input` is a well-formed {@linkcode Order}.
 *
 * Unknown extra fields are allowed (enriched orders carry some). `amount`
 * must be a finite number with 0 < amount < 10000; a numeric string is invalid.
 *
 * @example
 * ```ts
 * validateOrder({ orderId: "o1", userId: "u1", email: "a@b.io", amount: 0, items: [] });
 * // => { status: "invalid", reason: "items must be a non-empty array of at most 100 items" }
 * ```
 */
export function validateOrder(input: unknown): Validation {
  const reason = findOrderProblem(input);
  return reason === undefined ? { status: "valid" } : { status: "invalid", reason };
}

/**
 * Adds the enrichment fields to an order, keeping its own fields as given.
 *
 * When `input` is not a plain object nothing of it is kept and the order is
 * marked invalid with a reason naming its type, whatever `validation` says.
 * Order fields named like enrichment fields are replaced.
 */
export function enrichOrder(
  input: unknown,
  validation: Validation,
  processedBy: string,
  now: Date,
): EnrichedOrder {
  const validatedAt = now.toISOString();
  if (!isPlainObject(input)) {
    return {
      processedBy,
      validationStatus: "invalid",
      validationReason: notAnObjectReason(input),
      validatedAt,
    };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!ENRICHMENT_KEYS.includes(key)) fields[key] = value;
  }
  const enrichment: Enrichment = validation.status === "valid"
    ? { processedBy, validationStatus: "valid", validatedAt }
    : { processedBy, validationStatus: "invalid", validationReason: validation.reason, validatedAt };
  return { ...fields, ...enrichment };
}

/** Returns true when `input` would be accepted by {@linkcode parseEnrichedOrder}. */
export function isEnrichedOrder(input: unknown): input is EnrichedOrder {
  return readEnrichedOrder(input).ok;
}

/**
 * Checks an enriched order received from an earlier service and returns a
 * shallow copy of it.
 *
 * An order marked valid is validated again, as defence in depth.
 *
 * @throws {PayloadError} naming the first problem found.
 */
export function parseEnrichedOrder(input: unknown): EnrichedOrder {
  const result = readEnrichedOrder(input);
  if (!result.ok) throw new PayloadError(`Invalid enriched order: ${result.reason}`);
  return result.value;
}

/**
 * Generates an order from `random` (a function returning numbers in [0, 1)),
 * so the same sequence of random numbers gives the same order.
 *
 * The order has 1–3 items with SKUs from {@linkcode GENERATED_SKUS}, quantities
 * 1–5 and prices 0.01–500.00, so the amount (the items' total) is always in
 * (0, 10000). With `invalidAmount` the amount is one of {@linkcode INVALID_AMOUNTS}.
 *
 * @throws {RangeError} if `index` is not a non-negative safe integer or `random` returns a value outside [0, 1).
 */
export function generateOrder(
  random: () => number,
  opts: { invalidAmount: boolean; index: number },
): Order {
  if (!Number.isSafeInteger(opts.index) || opts.index < 0) {
    throw new RangeError(`Cannot generate order: index must be a non-negative integer, got ${opts.index}`);
  }
  const pick = (count: number): number => {
    const r = random();
    if (!(r >= 0 && r < 1)) {
      throw new RangeError(`Cannot generate order: random() must return a number in [0, 1), got ${r}`);
    }
    return Math.floor(r * count);
  };
  const between = (min: number, max: number): number => min + pick(max - min + 1);

  const base36 = "0123456789abcdefghijklmnopqrstuvwxyz";
  let suffix = "";
  for (let i = 0; i < 6; i++) suffix += base36[pick(base36.length)];
  const orderId = `ord-${opts.index}-${suffix}`;
  const userId = `user-${between(1, 1000)}`;

  const items: OrderItem[] = [];
  let totalCents = 0;
  const itemCount = between(1, 3);
  for (let i = 0; i < itemCount; i++) {
    const sku = GENERATED_SKUS[pick(GENERATED_SKUS.length)];
    const quantity = between(1, 5);
    const priceCents = between(1, 50000);
    items.push({ sku, quantity, price: priceCents / 100 });
    totalCents += priceCents * quantity;
  }
  // Working in whole cents keeps the total exact; at most 3 * 5 * 500.00 = 7500.00.
  const amount = opts.invalidAmount ? INVALID_AMOUNTS[pick(INVALID_AMOUNTS.length)] : totalCents / 100;

  return { orderId, userId, email: `${userId}@example.com`, amount, items };
}

function findOrderProblem(input: unknown): string | undefined {
  if (!isPlainObject(input)) return notAnObjectReason(input);
  if (!isBoundedString(input.orderId, MAX_ID_LENGTH)) {
    return `orderId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`;
  }
  if (!isBoundedString(input.userId, MAX_ID_LENGTH)) {
    return `userId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`;
  }
  if (!isBoundedString(input.email, MAX_EMAIL_LENGTH) || !EMAIL_PATTERN.test(input.email)) {
    return `email must be an address like name@example.com of at most ${MAX_EMAIL_LENGTH} characters`;
  }
  const amount = input.amount;
  if (typeof amount !== "number") return "amount must be a number";
  if (!Number.isFinite(amount)) return "amount must be a finite number";
  if (!(amount > MIN_AMOUNT_EXCLUSIVE && amount < MAX_AMOUNT_EXCLUSIVE)) {
    return `amount must be > ${MIN_AMOUNT_EXCLUSIVE} and < ${MAX_AMOUNT_EXCLUSIVE}`;
  }
  const items = input.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    return `items must be a non-empty array of at most ${MAX_ITEMS} items`;
  }
  for (let i = 0; i < items.length; i++) {
    const problem = findItemProblem(items[i], `items[${i}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function findItemProblem(item: unknown, path: string): string | undefined {
  if (!isPlainObject(item)) return `${path} must be an object, got ${describeType(item)}`;
  if (!isBoundedString(item.sku, MAX_SKU_LENGTH)) {
    return `${path}.sku must be a non-empty string of at most ${MAX_SKU_LENGTH} characters`;
  }
  const quantity = item.quantity;
  if (
    typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < MIN_QUANTITY ||
    quantity > MAX_QUANTITY
  ) {
    return `${path}.quantity must be an integer from ${MIN_QUANTITY} to ${MAX_QUANTITY}`;
  }
  const price = item.price;
  if (typeof price !== "number" || !Number.isFinite(price) || price < 0) {
    return `${path}.price must be a finite number >= 0`;
  }
  return undefined;
}

type ReadResult = { ok: true; value: EnrichedOrder } | { ok: false; reason: string };

function readEnrichedOrder(input: unknown): ReadResult {
  if (!isPlainObject(input)) return { ok: false, reason: notAnObjectReason(input) };
  const { processedBy, validationStatus, validationReason, validatedAt } = input;
  if (typeof processedBy !== "string" || processedBy.length === 0) {
    return { ok: false, reason: "processedBy must be a non-empty string" };
  }
  if (
    typeof validatedAt !== "string" || !ISO_TIMESTAMP_PATTERN.test(validatedAt) || !isRealDate(validatedAt)
  ) {
    return { ok: false, reason: "validatedAt must be an ISO 8601 UTC timestamp" };
  }
  if (validationStatus === "invalid") {
    if (typeof validationReason !== "string" || validationReason.length === 0) {
      return {
        ok: false,
        reason: 'validationReason must be a non-empty string when validationStatus is "invalid"',
      };
    }
    return { ok: true, value: { ...input, processedBy, validationStatus, validationReason, validatedAt } };
  }
  if (validationStatus !== "valid") {
    return { ok: false, reason: 'validationStatus must be "valid" or "invalid"' };
  }
  if (validationReason !== undefined) {
    return { ok: false, reason: 'validationReason must be absent when validationStatus is "valid"' };
  }
  const problem = findOrderProblem(input);
  if (problem !== undefined) {
    return { ok: false, reason: `marked valid but ${problem}` };
  }
  return { ok: true, value: { ...input, processedBy, validationStatus, validatedAt } };
}

function isRealDate(text: string): boolean {
  return !Number.isNaN(Date.parse(text));
}

function isBoundedString(value: unknown, maxLength: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= maxLength;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function notAnObjectReason(input: unknown): string {
  return `order must be an object, got ${describeType(input)}`;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
