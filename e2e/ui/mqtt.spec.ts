import { expect, test } from "@playwright/test";
import { brokerAccepts } from "../broker-accepts.ts";
import { E2E } from "../constants.ts";

test.use({ storageState: E2E.adminState });

test("the MQTT credentials tab lists minted credentials and revokes them on the broker", async ({
  page,
  request,
}, testInfo) => {
  const email = `e2e-${Date.now().toString(36)}@example.com`;
  // The console's own session mints them over the API (same-origin write).
  const minted = await request.post("/api/mqtt/tokens", {
    data: { user_email: email },
    headers: { Origin: E2E.baseURL },
  });
  expect(minted.status()).toBe(200);
  const body = (await minted.json()) as { mqtt_credentials: { username: string; password: string } };
  expect(
    await brokerAccepts(body.mqtt_credentials.username, body.mqtt_credentials.password, body.mqtt_credentials.username),
  ).toBe(true);

  await page.goto("/tokens");
  await page.getByRole("navigation", { name: "Token kinds" }).getByRole("link", { name: "MQTT credentials" }).click();
  await expect(page).toHaveURL(/\/tokens\/mqtt$/);
  await expect(page.getByRole("heading", { name: "MQTT credentials" })).toBeVisible();
  const row = page.locator(`[data-testid="mqtt-row"][data-email="${email}"]`);
  await expect(row).toContainText(body.mqtt_credentials.username);
  await expect(row).toContainText("active");
  await expect(page.getByText(body.mqtt_credentials.password)).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("mqtt-credentials.png"), fullPage: true });

  await row.getByRole("button", { name: `Revoke MQTT credentials of ${email}` }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke MQTT credentials" });
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toHaveCount(0);
  expect(
    await brokerAccepts(body.mqtt_credentials.username, body.mqtt_credentials.password, body.mqtt_credentials.username),
  ).toBe(false);
  await page.reload();
  await expect(page.locator(`[data-testid="mqtt-row"][data-email="${email}"]`)).toHaveCount(0);
});
