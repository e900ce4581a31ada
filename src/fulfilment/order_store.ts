/**
 * What service-2 needs from storage to fulfil an order exactly once: the order row keyed by request_id, a flag
 * per fulfilment step, and a stock ledger keyed by (sku, request_id), so a redelivered message repeats nothing.
 * The Cassandra adapter is `src/cassandra/cassandra_order_store.ts`; the fake is
 * `src/testing/memory_order_store.ts`; `order_store_contract.ts` holds both to the same behaviour.
 *
 * @module
 */

/** One line of a saved order. */
export interface SavedItem {
  sku: string;
  quantity: number;
  price: number;
}

/** An order as service-2 saves it. */
export interface SavedOrder {
  requestId: string;
  orderId: string;
  userId: string;
  email: string;
  amount: number;
  items: SavedItem[];
  status: "fulfilled" | "rejected";
  /** Why the order was rejected; absent when fulfilled. */
  reason?: string;
  processedBy: string;
  validatedAt: Date;
}

/** Which fulfilment steps are done for a request; each flag is recorded on its own. */
export interface FulfillmentState {
  saved: boolean;
  emailed: boolean;
  stockTaken: boolean;
}

/** What service-2 needs from storage. Every method may be repeated with the same arguments to the same effect. */
export interface OrderStore {
  state(requestId: string): Promise<FulfillmentState>;
  /** Upserts by request_id: saving twice leaves one order (the last one saved); the step flags are kept. */
  save(order: SavedOrder): Promise<void>;
  /** Records that the confirmation mail went out. */
  markEmailed(requestId: string): Promise<void>;
  /**
   * Records one ledger movement per sku (quantities of a repeated sku are summed), then the step. Repeating it
   * takes nothing more: the movement of (sku, request) is overwritten, not added.
   */
  takeStock(requestId: string, items: readonly { sku: string; quantity: number }[]): Promise<void>;
}

/** Sums the quantities per sku: one ledger movement per (sku, request). */
export function quantitiesPerSku(items: readonly { sku: string; quantity: number }[]): Map<string, number> {
  const perSku = new Map<string, number>();
  for (const item of items) perSku.set(item.sku, (perSku.get(item.sku) ?? 0) + item.quantity);
  return perSku;
}
