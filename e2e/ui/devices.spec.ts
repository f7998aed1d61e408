import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { deviceRequestArgs } from "../../tests/helpers/mosquitto-rr.ts";
import { E2E } from "../constants.ts";

test.use({ storageState: E2E.adminState });
const run = promisify(execFile);

test("register a device in the Devices tab, it gets a token over MQTT, remove it and the token stops working", async ({
  page,
  request,
}, testInfo) => {
  const id = `e2e-dev-${Date.now().toString(36)}`;
  await page.goto("/tokens/devices");
  await expect(page.getByRole("heading", { name: "Devices" })).toBeVisible();
  // This spec is the only one that registers devices: the list starts empty and says so.
  const emptyRow = page.getByRole("cell", { name: "No devices yet." });
  await expect(emptyRow).toBeVisible();
  await page.getByLabel("Device id").fill("bad/id");
  await page.getByRole("button", { name: "Register device" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "id must" })).toHaveText(
    "id must be 1-64 of A-Z a-z 0-9 _ . -",
  );
  await expect(page.getByLabel("Device id")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Device id").fill(id);
  await page.getByRole("button", { name: "Register device" }).click();
  const dialog = page.getByRole("dialog", { name: "Device registered" });
  await expect(dialog.getByText("The password will never be shown again.")).toBeVisible();
  const password = (await dialog.getByTestId("device-password").textContent())!;
  expect(password).toMatch(/^[\w-]{32}$/);
  await page.screenshot({ path: testInfo.outputPath("device-registered.png") });
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(page.locator(`[data-testid="device-row"][data-id="${id}"]`)).toContainText(`tessera/${id}/s/uat`);
  await expect(emptyRow).toHaveCount(0);
  // The same id again: the 409 is about the id (X-Error-Field), so the id field is the one marked.
  await page.getByLabel("Device id").fill(id);
  await page.getByRole("button", { name: "Register device" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "already" })).toHaveText(
    "A device with this id is already registered",
  );
  await expect(page.getByLabel("Device id")).toHaveAttribute("aria-invalid", "true");

  // The device asks for a token over MQTT with Debian's mosquitto_rr.
  const { stdout } = await run(
    "mosquitto_rr",
    deviceRequestArgs({ port: E2E.brokerPort, id, password, waitSeconds: 5 }),
  );
  expect(stdout.startsWith("71,")).toBe(true);
  const token = stdout.trim().slice(3);
  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  expect(await me.json()).toMatchObject({ kind: "token", device: id });

  await page.getByRole("button", { name: `Remove device ${id}` }).click();
  await page.getByRole("dialog", { name: "Remove device" }).getByRole("button", { name: "Remove" }).click();
  await expect(page.locator(`[data-testid="device-row"][data-id="${id}"]`)).toHaveCount(0);
  await expect(emptyRow).toBeVisible();
  expect((await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(403);
});
