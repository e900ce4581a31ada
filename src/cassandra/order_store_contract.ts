/**
 * One test suite for every {@link OrderStore}: the in-memory fake and the Cassandra store must behave alike.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { OrderStore, SavedOrder } from "./order_store.ts";

function order(requestId: string): SavedOrder {
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

/** Registers the contract's tests for the store `make` returns. */
export function orderStoreContract(
  name: string,
  make: () => Promise<{ store: OrderStore; cleanup(): Promise<void> }>,
) {
  Deno.test({
    name: `${name}: every step is done once however often it is repeated`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      const { store, cleanup } = await make();
      try {
        const id = crypto.randomUUID();
        await t.step("a new request has no step done", async () => {
          assert.deepEqual(await store.state(id), { saved: false, emailed: false, stockTaken: false });
        });
        await t.step("save() twice leaves it saved once", async () => {
          await store.save(order(id));
          await store.save(order(id));
          assert.deepEqual(await store.state(id), { saved: true, emailed: false, stockTaken: false });
        });
        await t.step("markEmailed() stamps the order", async () => {
          await store.markEmailed(id);
          assert.equal((await store.state(id)).emailed, true);
        });
        await t.step("takeStock() twice takes once, and the level is initial minus taken", async () => {
          await store.seedInventory({ "sku-a": 100, "sku-b": 50 });
          await store.takeStock(id, order(id).items);
          await store.takeStock(id, order(id).items);
          assert.equal((await store.state(id)).stockTaken, true);
          assert.equal(await store.stockLevel("sku-a"), 98);
          assert.equal(await store.stockLevel("sku-b"), 49);
        });
        await t.step("another order takes its own stock", async () => {
          const other = crypto.randomUUID();
          await store.save(order(other));
          await store.takeStock(other, [{ sku: "sku-a", quantity: 3 }]);
          assert.equal(await store.stockLevel("sku-a"), 95);
          assert.equal(await store.stockLevel("sku-unknown"), 0);
        });
      } finally {
        await cleanup();
      }
    },
  });
}
