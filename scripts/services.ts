/**
 * `deno task services up|down|status`: the local Kafka and Cassandra that `deno task start` and
 * `deno task test` use. See support/local_services.ts.
 *
 * @module
 */
import { servicesDown, servicesStatus, servicesUp } from "../support/local_services.ts";
import {
  secureServicesDown,
  secureServicesStatus,
  secureServicesUp,
  secureServicesWanted,
} from "../support/secure_services.ts";

const usage = "usage: deno task services up|down|status [--secure]";

async function main(args: string[]): Promise<number> {
  // --secure (or CHAIN_SECURE_SERVICES=1): the secured pair too (support/secure_services.ts). down stops all.
  const secure = args.includes("--secure") || secureServicesWanted();
  const [command, ...rest] = args.filter((arg) => arg !== "--secure");
  if (rest.length > 0) {
    console.error(usage);
    return 2;
  }
  try {
    switch (command) {
      case "up":
        for (const line of await servicesUp()) console.log(line);
        if (secure) { for (const line of await secureServicesUp()) console.log(line); }
        return 0;
      case "down":
        for (const line of await servicesDown()) console.log(line);
        for (const line of await secureServicesDown()) console.log(line);
        return 0;
      case "status": {
        const statuses = [...await servicesStatus(), ...(secure ? await secureServicesStatus() : [])];
        for (const s of statuses) {
          const owner = s.managed ? (s.pid ? `pid ${s.pid}` : "not started by chain") : "external";
          console.log(`${s.name}: ${s.address} ${s.answering ? "up" : "down"} (${owner}; ${s.detail})`);
        }
        return statuses.every((s) => s.answering) ? 0 : 1;
      }
      default:
        console.error(usage);
        return 2;
    }
  } catch (error) {
    console.error(`services ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

Deno.exit(await main(Deno.args));
