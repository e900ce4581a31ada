/**
 * An in-memory {@link OrderStore} for unit tests, with the same idempotence as the Cassandra one.
 *
 * @module
 */
import type { FulfillmentState, OrderStore, SavedOrder } from "../cassandra/order_store.ts";

/** Orders, step stamps and a stock ledger in maps. */
export class MemoryOrderStore implements OrderStore {
  readonly orders = new Map<string, SavedOrder & { emailed: boolean; stockTaken: boolean }>();
  readonly #initial = new Map<string, number>();
  readonly #ledger = new Map<string, number>();

  state(requestId: string): Promise<FulfillmentState> {
    const o = this.orders.get(requestId);
    return Promise.resolve({
      saved: o !== undefined,
      emailed: o?.emailed ?? false,
      stockTaken: o?.stockTaken ?? false,
    });
  }

  save(order: SavedOrder): Promise<void> {
    const before = this.orders.get(order.requestId);
    this.orders.set(order.requestId, {
      ...order,
      emailed: before?.emailed ?? false,
      stockTaken: before?.stockTaken ?? false,
    });
    return Promise.resolve();
  }

  markEmailed(requestId: string): Promise<void> {
    const o = this.orders.get(requestId);
    if (o) o.emailed = true;
    return Promise.resolve();
  }

  takeStock(requestId: string, items: readonly { sku: string; quantity: number }[]): Promise<void> {
    const perSku = new Map<string, number>();
    for (const item of items) perSku.set(item.sku, (perSku.get(item.sku) ?? 0) + item.quantity);
    for (const [sku, quantity] of perSku) this.#ledger.set(`${sku}\u0000${requestId}`, quantity);
    const o = this.orders.get(requestId);
    if (o) o.stockTaken = true;
    return Promise.resolve();
  }

  stockLevel(sku: string): Promise<number> {
    let taken = 0;
    for (const [key, quantity] of this.#ledger) if (key.startsWith(`${sku}\u0000`)) taken += quantity;
    return Promise.resolve((this.#initial.get(sku) ?? 0) - taken);
  }

  seedInventory(stock: Record<string, number>): Promise<void> {
    for (const [sku, n] of Object.entries(stock)) this.#initial.set(sku, n);
    return Promise.resolve();
  }
}
