import { expect, test } from "@playwright/test";
import packageJson from "../../package.json" with { type: "json" };

test("the home page names the product and its version, and links to health", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page).toHaveTitle("Tessera");
  await expect(page.getByRole("heading", { level: 1, name: "Tessera" })).toBeVisible();
  await expect(page.getByTestId("version")).toHaveText(packageJson.version);
  await page.screenshot({ path: testInfo.outputPath("home.png"), fullPage: true });

  await page.getByRole("link", { name: "/api/health" }).click();
  await expect(page).toHaveURL(/\/api\/health$/);
  // One field per component; the e2e server has a broker, so the MQTT side is reported too.
  await expect
    .poll(async () => JSON.parse((await page.reload(), await page.locator("body").textContent()) ?? "{}"))
    .toMatchObject({
      status: "ok",
      database: "ok",
      mqtt: { broker: "ok", responder: "ok", reconcile: { state: "ok" } },
    });
});
