/**
 * Takes docs/dashboard.png: starts a command center on topics of its own, lets orders flow into its inbox (some
 * to an unknown worker and a disabled route, so dead letters show), opens the dashboard in headless Chromium,
 * waits for the rates and a lag sample, and saves a full-page screenshot. Needs the local Kafka up
 * (`deno task services up`) and /usr/bin/chromium.
 *
 * `deno run -A scripts/dashboard_screenshot.ts [out.png]`
 *
 * @module
 */
import { launchBrowser, startDashboardChain, startOrderFlow } from "../support/dashboard_chain.ts";

const out = Deno.args[0] ?? new URL("../docs/dashboard.png", import.meta.url).pathname;
const chain = await startDashboardChain();
const flow = startOrderFlow(chain.kafka, chain.topics.INBOX_TOPIC, { everyMs: 100, perBatch: 12 });
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
  await page.goto(`${chain.base}/`, { waitUntil: "load" });
  await page.waitForSelector('#lag tr[data-group="service-2"]', { timeout: 60_000 });
  await page.waitForFunction('Number(document.body.dataset.refreshes ?? "0") >= 6', { timeout: 60_000 });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`saved ${out} after ${flow.record.sent} messages`);
} finally {
  await browser.close();
  await flow.stop();
  await chain.stop();
}
