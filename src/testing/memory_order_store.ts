/**
 * An in-memory {@link OrderStore} for unit tests, with the same idempotence as the Cassandra one (the contract
 * suite in `src/fulfilment/order_store_contract.ts` runs against both).
 *
 * @module
 */
import {
  type FulfillmentState,
  type OrderStore,
  quantitiesPerSku,
  type SavedOrder,
} from "../fulfilment/order_store.ts";
import type { InventoryProbe } from "../fulfilment/order_store_contract.ts";

/** Orders, step flags and a stock ledger in maps; its inventory can be seeded and read as tests need. */
export class MemoryOrderStore implements OrderStore, InventoryProbe {
  /** The saved orders by request id, for tests to inspect. */
  readonly orders = new Map<string, SavedOrder>();
  readonly #emailed = new Set<string>();
  readonly #stockTaken = new Set<string>();
  readonly #initial = new Map<string, number>();
  /** sku → request id → quantity, like the `inventory_movements` partitions. */
  readonly #ledger = new Map<string, Map<string, number>>();

  /** How many calls each method has had: the store's requests, for tests that count them. */
  readonly calls = { states: 0, save: 0, saveAndTakeStock: 0, markEmailed: 0 };

  states(requestIds: readonly string[]): Promise<Map<string, FulfillmentState>> {
    this.calls.states++;
    return Promise.resolve(
      new Map(requestIds.map((id) => [id, {
        saved: this.orders.has(id),
        emailed: this.#emailed.has(id),
        stockTaken: this.#stockTaken.has(id),
      }])),
    );
  }

  save(order: SavedOrder): Promise<void> {
    this.calls.save++;
    this.orders.set(order.requestId, structuredClone(order));
    return Promise.resolve();
  }

  markEmailed(requestIds: readonly string[]): Promise<void> {
    this.calls.markEmailed++;
    for (const id of requestIds) this.#emailed.add(id);
    return Promise.resolve();
  }

  saveAndTakeStock(order: SavedOrder): Promise<void> {
    this.calls.saveAndTakeStock++;
    this.orders.set(order.requestId, structuredClone(order));
    for (const [sku, quantity] of quantitiesPerSku(order.items)) {
      const movements = this.#ledger.get(sku) ?? new Map<string, number>();
      movements.set(order.requestId, quantity);
      this.#ledger.set(sku, movements);
    }
    this.#stockTaken.add(order.requestId);
    return Promise.resolve();
  }

  level(sku: string): Promise<number> {
    let taken = 0;
    for (const quantity of this.#ledger.get(sku)?.values() ?? []) taken += quantity;
    return Promise.resolve((this.#initial.get(sku) ?? 0) - taken);
  }

  seed(stock: Record<string, number>): Promise<void> {
    for (const [sku, n] of Object.entries(stock)) this.#initial.set(sku, n);
    return Promise.resolve();
  }
}
