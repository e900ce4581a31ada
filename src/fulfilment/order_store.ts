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

/**
 * What service-2 needs from storage. Every method may be repeated with the same arguments to the same effect.
 * The methods take or touch several requests or rows at once, so that a batch of orders costs a few requests
 * to the store, not a few per order.
 */
export interface OrderStore {
  /** The steps done for each of `requestIds`; a request the store has never seen has none done. */
  states(requestIds: readonly string[]): Promise<Map<string, FulfillmentState>>;
  /** Upserts by request_id: saving twice leaves one order (the last one saved); the step flags are kept. */
  save(order: SavedOrder): Promise<void>;
  /**
   * Saves the order and takes its items off the inventory, in one request: one ledger movement per sku
   * (quantities of a repeated sku are summed), and both steps' flags. Repeating it takes nothing more: the
   * movement of (sku, request) is overwritten, not added. The writes need not be atomic, so a failure may leave
   * some done: callers repeat the whole call until it succeeds, which is harmless.
   */
  saveAndTakeStock(order: SavedOrder): Promise<void>;
  /** Records that the confirmation mails of `requestIds` went out. */
  markEmailed(requestIds: readonly string[]): Promise<void>;
}

/** Sums the quantities per sku: one ledger movement per (sku, request). */
export function quantitiesPerSku(items: readonly { sku: string; quantity: number }[]): Map<string, number> {
  const perSku = new Map<string, number>();
  for (const item of items) perSku.set(item.sku, (perSku.get(item.sku) ?? 0) + item.quantity);
  return perSku;
}
