/**
 * One test suite for every {@link OrderStore}: the in-memory fake and the Cassandra store must behave alike.
 * Each case makes its own store (for Cassandra: its own keyspace) and cleans it up.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { OrderStore, SavedOrder } from "./order_store.ts";

/** How a contract case sets and reads stock: outside the port, as `chain init` and an operator do. */
export interface InventoryProbe {
  /** Sets the initial stock of each sku, replacing any earlier value. */
  seed(stock: Record<string, number>): Promise<void>;
  /** Initial stock minus everything taken; 0 minus taken for a sku never seeded. */
  level(sku: string): Promise<number>;
}

/** What a contract case needs: a fresh, empty store, its inventory, and a way to remove them. */
export interface StoreUnderTest {
  store: OrderStore;
  inventory: InventoryProbe;
  cleanup(): Promise<void>;
}

/** A valid order for `requestId`: 2 × sku-a and 1 × sku-b. */
export function sampleOrder(requestId: string): SavedOrder {
  return {
    requestId,
    orderId: "o-1",
    userId: "u-1",
    email: "u-1@example.com",
    amount: 20,
    items: [{ sku: "sku-a", quantity: 2, price: 5 }, { sku: "sku-b", quantity: 1, price: 10 }],
    status: "fulfilled",
    processedBy: "service-1",
    validatedAt: new Date("2026-11-25T10:00:00Z"),
  };
}

const none = { saved: false, emailed: false, stockTaken: false };

/** Registers the contract's Deno.test cases, named `<name>: …`, for the stores `makeStore` returns. */
export function orderStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  const test = (behaviour: string, fn: (store: OrderStore, inventory: InventoryProbe) => Promise<void>) =>
    Deno.test({
      name: `${name}: ${behaviour}`,
      // cassandra-driver keeps sockets and timers between the store's creation and its cleanup.
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const { store, inventory, cleanup } = await makeStore();
        try {
          await fn(store, inventory);
        } finally {
          await cleanup();
        }
      },
    });

  const state = async (store: OrderStore, id: string) => (await store.states([id])).get(id);
  /** A request that takes `items` (saved as a copy of the sample order with those items). */
  const taking = (items: SavedOrder["items"], id = crypto.randomUUID()) => ({ ...sampleOrder(id), items });

  test("states() has every request asked for; one never seen has no step done", async (store) => {
    const [seen, unseen] = [crypto.randomUUID(), crypto.randomUUID()];
    await store.save(sampleOrder(seen));
    const states = await store.states([seen, unseen]);
    assert.deepEqual([...states.keys()].sort(), [seen, unseen].sort());
    assert.deepEqual(states.get(unseen), none);
    assert.deepEqual(states.get(seen), { ...none, saved: true });
    assert.deepEqual(await store.states([]), new Map());
  });

  test("states() answers for more requests than one query takes", async (store) => {
    const ids = Array.from({ length: 250 }, () => crypto.randomUUID());
    await Promise.all(ids.slice(0, 3).map((id) => store.save(sampleOrder(id))));
    await store.markEmailed([ids[249]]);
    const states = await store.states(ids);
    assert.equal(states.size, 250);
    assert.deepEqual(ids.filter((id) => states.get(id)?.saved), ids.slice(0, 3));
    assert.deepEqual(ids.filter((id) => states.get(id)?.emailed), [ids[249]]);
  });

  test("save() twice leaves the order saved once, and no other step done", async (store) => {
    const id = crypto.randomUUID();
    await store.save(sampleOrder(id));
    await store.save(sampleOrder(id));
    assert.deepEqual(await state(store, id), { saved: true, emailed: false, stockTaken: false });
  });

  test("each step's flag is set by its own method and kept when the order is saved again", async (store) => {
    const id = crypto.randomUUID();
    await store.save({ ...sampleOrder(id), status: "rejected", reason: "amount must be > 0" });
    await store.markEmailed([id]);
    assert.deepEqual(await state(store, id), { saved: true, emailed: true, stockTaken: false });
    await store.saveAndTakeStock(sampleOrder(id));
    assert.deepEqual(await state(store, id), { saved: true, emailed: true, stockTaken: true });
    await store.save(sampleOrder(id));
    assert.deepEqual(await state(store, id), { saved: true, emailed: true, stockTaken: true });
    const [other, third] = [crypto.randomUUID(), crypto.randomUUID()];
    await store.markEmailed([other, third]);
    assert.deepEqual(await state(store, other), { saved: false, emailed: true, stockTaken: false });
    assert.deepEqual(await state(store, third), { saved: false, emailed: true, stockTaken: false });
  });

  test("saveAndTakeStock() twice for the same request takes the stock once", async (store, inventory) => {
    const id = crypto.randomUUID();
    await inventory.seed({ "sku-a": 100, "sku-b": 50 });
    await store.saveAndTakeStock(sampleOrder(id));
    await store.saveAndTakeStock(sampleOrder(id));
    assert.equal(await inventory.level("sku-a"), 98);
    assert.equal(await inventory.level("sku-b"), 49);
    assert.deepEqual(await state(store, id), { saved: true, emailed: false, stockTaken: true });
  });

  test("the stock level is the initial stock minus what every request took", async (store, inventory) => {
    await inventory.seed({ "sku-a": 100 });
    assert.equal(await inventory.level("sku-a"), 100);
    await store.saveAndTakeStock(taking([{ sku: "sku-a", quantity: 2, price: 1 }, {
      sku: "sku-a",
      quantity: 1,
      price: 1,
    }]));
    await store.saveAndTakeStock(taking([{ sku: "sku-a", quantity: 4, price: 1 }]));
    assert.equal(await inventory.level("sku-a"), 93);
    await store.saveAndTakeStock(taking([{ sku: "sku-new", quantity: 2, price: 1 }]));
    assert.equal(await inventory.level("sku-new"), -2, "a sku never seeded starts at 0");
    assert.equal(await inventory.level("sku-unknown"), 0);
  });

  test("seeding again replaces the initial stock and keeps what was taken", async (store, inventory) => {
    await inventory.seed({ "sku-a": 10 });
    await store.saveAndTakeStock(taking([{ sku: "sku-a", quantity: 3, price: 1 }]));
    await inventory.seed({ "sku-a": 20 });
    assert.equal(await inventory.level("sku-a"), 17);
  });
}
