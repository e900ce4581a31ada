/**
 * The command center's dashboard in a real browser: headless Chromium (Debian's `chromium`, driven by
 * puppeteer-core) opens the page while orders flow into the inbox, and the numbers move: the forwarded count
 * rises between two reads of the page, a rate shows, dead letters appear by reason with a failed request id,
 * the graph has one edge per route, the lag table has the groups with a status, and no payload byte is shown.
 *
 * With `DASHBOARD_SCREENSHOT=<path>` it also saves a screenshot (scripts/dashboard_screenshot.ts does that for
 * docs/dashboard.png).
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import {
  CHROMIUM,
  launchBrowser,
  ROUTE_IDS,
  startDashboardChain,
  startOrderFlow,
} from "../support/dashboard_chain.ts";

const number = (text: string | null | undefined) => Number((text ?? "").replace(/[^0-9.]/g, "") || NaN);

async function text(page: Page, selector: string): Promise<string> {
  return await page.$eval(selector, (e) => e.textContent ?? "");
}

async function refreshes(page: Page): Promise<number> {
  return Number(await page.evaluate('document.body.dataset.refreshes ?? "0"'));
}

/** Waits until the page has refreshed `count` more times than now (it refreshes every 2 s). */
async function nextRefreshes(page: Page, count: number): Promise<void> {
  const target = (await refreshes(page)) + count;
  await page.waitForFunction(`Number(document.body.dataset.refreshes ?? "0") >= ${target}`, {
    timeout: 20_000,
  });
}

Deno.test({
  name: "the dashboard, in headless Chromium, shows the numbers moving while orders flow",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const started = performance.now();
    // Not skipped when missing: .ci/run installs it, and a skipped browser test would pass unseen.
    await Deno.stat(CHROMIUM).catch(() => {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (as .ci/run does)`);
    });
    const chain = await startDashboardChain();
    const flow = startOrderFlow(chain.kafka, chain.topics.INBOX_TOPIC);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 1000 });
      await page.goto(`${chain.base}/`, { waitUntil: "load" });
      assert.equal(await page.title(), "chain · command center");
      await page.waitForFunction(
        'Number(document.getElementById("forwarded").textContent.replace(/\\D/g, "") || "0") > 0',
        { timeout: 30_000 },
      );
      assert.equal(await text(page, "#state"), "live");

      // The numbers move: the forwarded count rises between two reads, and a rate shows.
      const first = number(await text(page, "#forwarded"));
      await nextRefreshes(page, 2);
      const second = number(await text(page, "#forwarded"));
      assert.ok(second > first, `forwarded ${first} then ${second}`);
      await page.waitForFunction(
        '/^[0-9.]+\\/s$/.test(document.getElementById("forwarded-rate").textContent)',
        { timeout: 10_000 },
      );
      assert.ok(number(await text(page, "#forwarded-rate")) > 0, "a forward rate above 0");
      const routeRow = `#routes tr[data-route="${ROUTE_IDS.toS1}"]`;
      assert.ok(number(await text(page, `${routeRow} td.forwarded`)) > 0);

      // Dead letters by reason, and the last failures with their request ids.
      await page.waitForSelector('#dead-letters tr[data-reason="unknown_worker"]', { timeout: 10_000 });
      await page.waitForSelector('#dead-letters tr[data-reason="route_disabled"]', { timeout: 20_000 });
      const failedIds = await page.$$eval(
        "#failures tr[data-request-id]",
        (rows) => rows.map((r) => r.getAttribute("data-request-id")!),
      );
      assert.ok(failedIds.length > 0 && failedIds.length <= 20, `${failedIds.length} failures listed`);
      assert.ok(
        failedIds.some((id) => flow.record.unknownIds.includes(id)),
        "a request id sent for the unknown worker is listed",
      );
      assert.match(await text(page, "#failures tbody"), /unknown_worker/);

      // The dead-letter topics by topic and reason (read every 30 s while the page is open): the unknown worker's
      // dead letters are not replayable while it has no route.
      const dlqRow = `#dead-letter-topics tr[data-topic="${chain.topics.COMMAND_CENTER_DLQ_TOPIC}"]` +
        '[data-reason="unknown_worker"]';
      await page.waitForSelector(dlqRow, { timeout: 45_000 });
      const dlqCells = await page.$$eval(`${dlqRow} td`, (cells) => cells.map((c) => c.textContent ?? ""));
      assert.ok(number(dlqCells[2]) > 0, `dead letters counted: ${dlqCells.join(" | ")}`);
      assert.equal(dlqCells[3], "0", "none replayable while the worker has no route");

      // The graph: one edge per route of the registry, the disabled one dashed.
      const edges = await page.$$eval(
        "#graph path.edge[data-route]",
        (paths) => paths.map((p) => [p.getAttribute("data-route"), p.getAttribute("class")]),
      );
      assert.deepEqual(
        edges.map(([id]) => id).sort(),
        [ROUTE_IDS.toS1, ROUTE_IDS.toS2, "route-legacy"].sort(),
      );
      assert.match(String(edges.find(([id]) => id === "route-legacy")?.[1]), /\boff\b/);

      // Consumer lag of the command center's group and the services' (none runs here: STOPPED).
      await page.waitForSelector('#lag tr[data-group="command-center"]', { timeout: 30_000 });
      const lagRows = await page.$$eval(
        "#lag tr[data-group]",
        (rows) =>
          rows.map((r) => [r.getAttribute("data-group"), r.querySelector(".status")?.textContent ?? ""]),
      );
      assert.deepEqual(lagRows.map(([group]) => group).sort(), ["command-center", "service-1", "service-2"]);
      for (const [, status] of lagRows) assert.match(status!, /^(OK|FALLING_BEHIND|STALLED|STOPPED)$/);
      assert.equal(lagRows.find(([g]) => g === "service-1")?.[1], "STOPPED", "no service-1 runs");

      // Never a payload: no `data` sent appears in the page or in the figures behind it.
      await nextRefreshes(page, 1);
      const html = await page.content();
      const api = await (await fetch(`${chain.base}/api/dashboard`)).text();
      const shown = flow.record.payloads.filter((data) => html.includes(data) || api.includes(data));
      assert.deepEqual(shown, [], "payloads on the page");

      const screenshot = Deno.env.get("DASHBOARD_SCREENSHOT");
      if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
      console.log(
        `dashboard test: ${flow.record.sent} messages sent, ${second} forwarded at the second read, ${
          ((performance.now() - started) / 1000).toFixed(1)
        } s`,
      );
    } finally {
      await browser.close();
      await flow.stop();
      await chain.stop();
    }
  },
});
