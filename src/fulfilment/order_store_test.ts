import assert from "node:assert/strict";
import { orderStoreContract, sampleOrder } from "./order_store_contract.ts";
import { quantitiesPerSku } from "./order_store.ts";
import { MemoryOrderStore } from "../testing/memory_order_store.ts";

orderStoreContract(
  "MemoryOrderStore",
  () => {
    const store = new MemoryOrderStore();
    return Promise.resolve({ store, inventory: store, cleanup: () => Promise.resolve() });
  },
);

Deno.test("MemoryOrderStore keeps a copy of the last order saved", async () => {
  const store = new MemoryOrderStore();
  const id = crypto.randomUUID();
  await store.save(sampleOrder(id));
  const last = { ...sampleOrder(id), status: "rejected" as const, reason: "too late" };
  await store.save(last);
  last.items.push({ sku: "sku-c", quantity: 1, price: 1 });
  assert.equal(store.orders.size, 1);
  assert.equal(store.orders.get(id)?.status, "rejected");
  assert.equal(store.orders.get(id)?.items.length, 2);
});

Deno.test("quantitiesPerSku() sums the quantities of a sku listed twice", () => {
  assert.deepEqual(
    [...quantitiesPerSku([{ sku: "a", quantity: 2 }, { sku: "b", quantity: 1 }, { sku: "a", quantity: 3 }])],
    [["a", 5], ["b", 1]],
  );
});
