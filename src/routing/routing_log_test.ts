import { routingLogContract } from "./routing_log_contract.ts";
import { MemoryRoutingLog } from "../testing/memory_routing_log.ts";

routingLogContract("MemoryRoutingLog", () => {
  const log = new MemoryRoutingLog();
  return Promise.resolve({
    log,
    probe: {
      rows: (requestId) => Promise.resolve(log.rows.filter((r) => r.requestId === requestId)),
      breakStore() {
        log.failWrites = true;
        return Promise.resolve();
      },
    },
    cleanup: () => Promise.resolve(),
  });
});
