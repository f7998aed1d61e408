import { copyFile, mkdir } from "node:fs/promises";
import { expect, test, type Locator } from "@playwright/test";
import { E2E } from "../constants.ts";

test.use({ storageState: E2E.adminState });

const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
/** Where the README's screenshots live (the working directory is the repository, as for every spec's paths). */
const DOCS_SCREENSHOTS = "docs/screenshots";

/** The value each drawn bar segment of `series` stands for, and its height. */
async function segments(chart: Locator, series: "requests" | "refused") {
  return chart.locator(`rect[data-series="${series}"]`).evaluateAll((rects) =>
    rects.map((rect) => ({
      value: Number(rect.getAttribute("data-value")),
      height: Number(rect.getAttribute("height")),
    })),
  );
}

/** Every segment's height over its value: the same for all of them when the bars are drawn to one scale. */
async function expectOneScale(chart: Locator) {
  const all = [...(await segments(chart, "requests")), ...(await segments(chart, "refused"))];
  const ratios = all.map(({ value, height }) => height / value);
  for (const ratio of ratios) expect(ratio).toBeCloseTo(ratios[0]!, 5);
}

const sum = (values: { value: number }[]) => values.reduce((total, { value }) => total + value, 0);

// Issue 19: the Tokens view's chart per row (one read of GET /api/tokens/usage) and the usage dialog's chart per hour
// with the last addresses (GET /api/tokens/{hash}/usage) show what the token did: 5 accepted requests, then 3 refused
// ones after it was disabled. The read APIs write the server's counts first, so they are exact right after the uses.
test("a token's usage: the row's chart and the dialog's chart, totals and addresses", async ({
  page,
  request,
}, testInfo) => {
  const name = uniqueName("use");
  const created = await request.post("/api/tokens", {
    data: { name, role: "viewer", validUntil: new Date(Date.now() + 7 * 86_400_000).toISOString() },
    headers: { Origin: E2E.baseURL },
  });
  expect(created.status()).toBe(200);
  const { hash, token } = (await created.json()) as { hash: string; token: string };
  const use = () => request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  for (let i = 0; i < 5; i++) expect((await use()).status()).toBe(200);
  expect((await request.post(`/api/tokens/${hash}/disable`, { headers: { Origin: E2E.baseURL } })).status()).toBe(200);
  for (let i = 0; i < 3; i++) expect((await use()).status()).toBe(403);

  const reads: string[] = [];
  page.on("request", (sent) => {
    if (new URL(sent.url()).pathname.endsWith("/usage")) reads.push(new URL(sent.url()).pathname);
  });
  await page.goto("/tokens");
  const row = page.locator(`[data-testid="token-row"][data-name="${name}"]`);
  const small = row.getByTestId("usage-sparkline");
  await expect(small).toHaveAttribute("role", "img");
  await expect(row.getByRole("img", { name: "Last 7 days: 5 requests, 3 refused" })).toBeVisible();
  // The chart is the button that opens the token's usage, and its sentence describes that button.
  const open = row.getByRole("button", { name: `Usage of ${name}` });
  await expect(open).toHaveAccessibleDescription("Last 7 days: 5 requests, 3 refused");
  // Seven days; everything happened today (the last bar), drawn to one scale.
  await expect(small.locator("g[data-index]")).toHaveCount(7);
  expect(await segments(small, "requests")).toHaveLength(1);
  expect(sum(await segments(small, "requests"))).toBe(5);
  expect(sum(await segments(small, "refused"))).toBe(3);
  await expect(small.locator('g[data-index="6"] rect[data-series="requests"]')).toHaveAttribute("data-value", "5");
  await expectOneScale(small);
  // One read of the summary for the whole list, none per row.
  expect(reads).toEqual(["/api/tokens/usage"]);
  await page.screenshot({ path: testInfo.outputPath("usage-sparklines.png"), fullPage: true });

  await open.click();
  const dialog = page.getByRole("dialog", { name: `Usage of ${name}` });
  await expect(dialog.getByTestId("usage-total-requests")).toHaveText("5");
  await expect(dialog.getByTestId("usage-total-refused")).toHaveText("3");
  const large = dialog.getByRole("img", { name: "Requests per hour, last 7 days: 5 requests, 3 refused" });
  await expect(large).toBeVisible();
  // One bar per hour for 7 days (169 when the range starts and ends inside an hour); the counts in one or two of the
  // last hours (two when the uses straddled an hour), drawn to one scale; a tick at each of the 7 local midnights.
  const hours = await large.locator("g[data-index]").count();
  expect(hours).toBeGreaterThanOrEqual(168);
  expect(hours).toBeLessThanOrEqual(169);
  expect(sum(await segments(large, "requests"))).toBe(5);
  expect(sum(await segments(large, "refused"))).toBe(3);
  const used = await large
    .locator("g[data-index]")
    .filter({ has: page.locator("rect[data-value]") })
    .evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute("data-index"))));
  expect(used.length).toBeGreaterThanOrEqual(1);
  expect(Math.min(...used)).toBeGreaterThanOrEqual(hours - 2);
  await expectOneScale(large);
  await expect(large.getByTestId("x-tick")).toHaveCount(7);
  await expect(large.getByText("Day (your time zone)")).toBeVisible();

  // The same address for every use (the tests' client), seen just now.
  const addresses = dialog.getByTestId("usage-addresses").getByRole("listitem");
  await expect(addresses).toHaveCount(1);
  await expect(addresses.first()).toContainText("127.0.0.1");
  const seen = await addresses.first().locator("time").getAttribute("datetime");
  expect(Math.abs(Date.now() - Date.parse(seen!))).toBeLessThan(5 * 60_000);
  expect(reads).toEqual(["/api/tokens/usage", `/api/tokens/${hash}/usage`]);

  const screenshot = testInfo.outputPath("usage-chart.png");
  await page.screenshot({ path: screenshot });
  await mkdir(DOCS_SCREENSHOTS, { recursive: true });
  await copyFile(screenshot, `${DOCS_SCREENSHOTS}/usage-chart.png`);

  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
});
