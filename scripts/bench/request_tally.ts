/**
 * The requests each process of a running chain has sent (`chain_requests_total`, `chain_cassandra_rows_total`):
 * scraped from a role's `/metrics`, or read from the publisher's last log line, and turned into figures per
 * order for the bench's "requests and rows per order, per process" table.
 *
 * @module
 */

/** Counts by name: `kafka produce`, `kafka fetch`, `cassandra batch`, `smtp transaction`, `rows written`, …. */
export type RequestTally = Record<string, number>;

const requestLine = /^chain_requests_total\{system="([^"]+)",request="([^"]+)"\} (\S+)$/;
const rowsLine = /^chain_cassandra_rows_total\{op="([^"]+)"\} (\S+)$/;

/** The counts in a Prometheus exposition text. */
export function parseRequestTally(text: string): RequestTally {
  const tally: RequestTally = {};
  for (const line of text.split("\n")) {
    const request = requestLine.exec(line);
    if (request) tally[`${request[1]} ${request[2]}`] = Number(request[3]);
    const rows = rowsLine.exec(line);
    if (rows) tally[`rows ${rows[1]}`] = Number(rows[2]);
  }
  return tally;
}

/** The counts in the publisher's "publisher done" log line (its `requests` and `rows` fields). */
export function publisherTally(lines: readonly string[]): RequestTally {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].includes('"publisher done"')) continue;
    const entry = JSON.parse(lines[i]) as { requests?: RequestTally; rows?: RequestTally };
    const tally: RequestTally = { ...entry.requests };
    for (const [op, n] of Object.entries(entry.rows ?? {})) tally[`rows ${op}`] = n;
    return tally;
  }
  return {};
}

/** Scrapes `/metrics` at `baseUrl`; empty when it does not answer. */
export async function scrapeRequestTally(baseUrl: string): Promise<RequestTally> {
  try {
    const response = await fetch(`${baseUrl}/metrics`);
    return parseRequestTally(await response.text());
  } catch {
    return {};
  }
}

/** `after - before`, per count, divided by `orders`. */
export function perOrder(before: RequestTally, after: RequestTally, orders: number): RequestTally {
  const out: RequestTally = {};
  for (const [name, n] of Object.entries(after)) {
    const delta = n - (before[name] ?? 0);
    if (delta > 0 && orders > 0) out[name] = delta / orders;
  }
  return out;
}

/** The request kinds a table shows as columns, in this order; the rest are summed as `other`. */
export const tallyColumns = [
  "kafka produce",
  "kafka fetch",
  "kafka offset_commit",
  "kafka heartbeat",
  "cassandra execute",
  "cassandra batch",
  "rows written",
  "rows read",
  "smtp transaction",
] as const;

/** A figure per column of {@link tallyColumns} plus `kafka other` (every other Kafka request). */
export function tallyRow(tally: RequestTally): Record<string, number> {
  const row: Record<string, number> = {};
  let other = 0;
  for (const [name, n] of Object.entries(tally)) {
    if ((tallyColumns as readonly string[]).includes(name)) row[name] = n;
    else if (name.startsWith("kafka ")) other += n;
  }
  row["kafka other"] = other;
  return row;
}

/** A text table of per-order figures: a row per process (`all` last), a column per {@link tallyColumns} kind. */
export function formatTallyTable(perProcess: Record<string, Record<string, number>>): string {
  const columns = [...tallyColumns, "kafka other"];
  const header = [
    "process".padEnd(16),
    ...columns.map((c) => c.replace(/^(kafka|cassandra|smtp) /, "").padStart(14)),
  ];
  const lines = [header.join("")];
  const names = Object.keys(perProcess).filter((n) => n !== "all");
  if (perProcess.all) names.push("all");
  for (const name of names) {
    const row = tallyRow(perProcess[name]);
    lines.push(
      [name.padEnd(16), ...columns.map((c) => (row[c] ? row[c].toFixed(2) : "-").padStart(14))].join(""),
    );
  }
  return lines.join("\n");
}
