/**
 * `deno task faults`: chain's fault suite (issue 9). Each scenario runs the real roles as processes against the
 * local Kafka and Cassandra, with its own topics, keyspace and groups, publishes a steady order stream, injects
 * its fault, waits until every order is done (or a deadline), checks every order in Cassandra and the SMTP sink,
 * and prints one table row. Exits 1 if any scenario fails its bar, 2 on a usage error.
 *
 * @module
 */
import { continuePausedServices } from "./local_service_control.ts";
import { parseSuiteOptions, type SuiteOptions, usage } from "./options.ts";
import { formatDetails, formatTable } from "./result_table.ts";
import { passed, type Scenario, type ScenarioResult, skippedResult } from "./scenario.ts";
import { selectScenarios } from "./scenarios.ts";
import { note } from "./timing.ts";

/** Runs the selected scenarios; resolves with the exit code. */
export async function runSuite(options: SuiteOptions, scenarios: Scenario[]): Promise<number> {
  if (options.list) {
    for (const s of scenarios) {
      console.log(`${s.group} ${s.name}${s.destructive ? " (destructive)" : ""}: ${s.proves}`);
    }
    return 0;
  }
  const started = performance.now();
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    note(`${scenario.name}: start (${options.orders} orders at ${options.rate}/s)`);
    let result: ScenarioResult;
    try {
      result = await scenario.run(options);
    } catch (error) {
      result = {
        ...skippedResult(scenario.name, ""),
        skipped: undefined,
        failures: [`could not run: ${error instanceof Error ? error.message : String(error)}`],
      };
    }
    results.push(result);
    note(`${scenario.name}: ${passed(result) ? "pass" : result.skipped !== undefined ? "skip" : "FAIL"}`);
    console.error(formatTable([result]).slice(-1)[0]);
  }
  console.log(formatTable(results).join("\n"));
  console.log(formatDetails(results).join("\n"));
  console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return results.every((r) => passed(r) || r.skipped !== undefined) ? 0 : 1;
}

if (import.meta.main) {
  let options: SuiteOptions | undefined;
  let scenarios: Scenario[] = [];
  try {
    options = parseSuiteOptions(Deno.args);
    scenarios = selectScenarios(options.only);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    Deno.exit(2);
  }
  // Interrupted: a paused Kafka or Cassandra must not stay paused.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      continuePausedServices();
      Deno.exit(130);
    });
  }
  Deno.exit(await runSuite(options, scenarios));
}
