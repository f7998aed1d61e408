import { copyFile, mkdir } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { E2E } from "../constants.ts";

test.use({ storageState: E2E.adminState });

const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

// Issue 19: the Audit tab shows what the API recorded, filtered by the same query as GET /api/audit.
test("the Audit tab lists a token's creation and revocation by the console session, and filters by token", async ({
  page,
  request,
}, testInfo) => {
  const name = uniqueName("aud");
  const created = await request.post("/api/tokens", {
    data: { name, role: "viewer", validUntil: new Date(Date.now() + 7 * 86_400_000).toISOString() },
    headers: { Origin: E2E.baseURL },
  });
  expect(created.status()).toBe(200);
  const { hash } = (await created.json()) as { hash: string };
  expect((await request.delete(`/api/tokens/${hash}`, { headers: { Origin: E2E.baseURL } })).status()).toBe(200);

  await page.goto("/tokens");
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const table = page.getByTestId("audit-table");
  await expect(table).toContainText("token.created");
  const screenshot = testInfo.outputPath("audit-tab.png");
  await page.screenshot({ path: screenshot, fullPage: true });
  // The README's copy (the working directory is the repository).
  await mkdir("docs/screenshots", { recursive: true });
  await copyFile(screenshot, "docs/screenshots/audit-tab.png");

  await page.getByLabel("Token hash").fill(hash);
  await page.getByRole("button", { name: "Filter" }).click();
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("token.revoked");
  await expect(rows.nth(1)).toContainText("token.created");
  await expect(rows.nth(1)).toContainText(name);
  await expect(rows.nth(1)).toContainText("console");

  await page.getByLabel("Token hash").fill("not-a-hash");
  await page.getByRole("button", { name: "Filter" }).click();
  // In main: Next.js's route announcer is an (empty) alert too, once the page has hydrated.
  await expect(page.getByRole("main").getByRole("alert")).toContainText("tokenHash must be a token hash");
});
