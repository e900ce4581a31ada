/**
 * `deno task start`: runs the chain on this machine. Until the roles land it brings the local services up.
 *
 * @module
 */
import { servicesUp } from "./local_services.ts";

for (const line of await servicesUp()) console.log(line);
