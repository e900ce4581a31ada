import { orderStoreContract } from "./order_store_contract.ts";
import { MemoryOrderStore } from "../testing/memory_order_store.ts";

orderStoreContract(
  "MemoryOrderStore",
  () => Promise.resolve({ store: new MemoryOrderStore(), cleanup: () => Promise.resolve() }),
);
