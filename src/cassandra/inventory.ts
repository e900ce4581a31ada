/**
 * The inventory's initial stock and the stock level of a sku: what `chain init` seeds and what an operator or a
 * test reads back. service-2 only appends to the ledger (`inventory_movements`, through the order store); the
 * level of a sku is its `initial_stock` minus the sum of its movements.
 *
 * @module
 */
import cassandra from "cassandra-driver";

/** The initial stock `chain init` gives each sku the publisher generates. */
export const INITIAL_STOCK = 1_000_000;

/** Initial stock and stock levels in `<keyspace>.inventory` and `<keyspace>.inventory_movements`. */
export class CassandraInventory {
  readonly #client: cassandra.Client;
  readonly #cql: Record<"initial" | "taken" | "seed" | "seedIfAbsent", string>;
  readonly #options = {
    prepare: true,
    isIdempotent: true,
    consistency: cassandra.types.consistencies.localQuorum,
  };

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#cql = {
      initial: `SELECT initial_stock FROM ${keyspace}.inventory WHERE sku = ?`,
      taken: `SELECT SUM(quantity) AS taken FROM ${keyspace}.inventory_movements WHERE sku = ?`,
      seed: `INSERT INTO ${keyspace}.inventory (sku, initial_stock) VALUES (?, ?)`,
      seedIfAbsent: `INSERT INTO ${keyspace}.inventory (sku, initial_stock) VALUES (?, ?) IF NOT EXISTS`,
    };
  }

  /** Sets the initial stock of each sku, replacing any earlier value; what was taken stays taken. */
  async seed(stock: Record<string, number>): Promise<void> {
    await Promise.all(
      Object.entries(stock).map(([sku, n]) => this.#client.execute(this.#cql.seed, [sku, n], this.#options)),
    );
  }

  /**
   * Sets the initial stock of the skus that have none yet and leaves the others alone, so running `chain init`
   * again never resets a live inventory. Returns the skus it seeded.
   */
  async seedMissing(stock: Record<string, number>): Promise<string[]> {
    const results = await Promise.all(
      Object.entries(stock).map(async ([sku, n]) => {
        // A lightweight transaction: two inits at once still seed a sku once.
        const result = await this.#client.execute(this.#cql.seedIfAbsent, [sku, n], {
          prepare: true,
          consistency: cassandra.types.consistencies.localQuorum,
        });
        return result.wasApplied() ? sku : undefined;
      }),
    );
    return results.filter((sku) => sku !== undefined);
  }

  /** Initial stock minus everything taken; 0 minus taken for a sku never seeded. */
  async level(sku: string): Promise<number> {
    const [initial, taken] = await Promise.all([
      this.#client.execute(this.#cql.initial, [sku], this.#options),
      this.#client.execute(this.#cql.taken, [sku], this.#options),
    ]);
    return Number(initial.first()?.get("initial_stock") ?? 0) - Number(taken.first()?.get("taken") ?? 0);
  }
}
