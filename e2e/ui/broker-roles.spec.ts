import { expect, test, type Page } from "@playwright/test";
import { E2E } from "../constants.ts";
import { signInWithSso } from "../sso.ts";

// The Broker tab as each role sees it, from the permission table (lib/auth/permissions.ts): a monitoringViewer only
// the status, a viewer the lists without a way to change them, a connectionManager the clients with enable and disable
// only, an editor everything. Users come from the e2e OIDC provider (e2e/oidc-server.mjs): bob is a viewer, monty a
// monitoringViewer, connie a connectionManager, edith an editor.

const FORBIDDEN = "You do not have access to this page";
const id = Date.now().toString(36);
const client = `e2e-roles-${id}`;
const row = (page: Page, username: string) => page.locator(`[data-testid="client-row"][data-username="${username}"]`);

/** The admin makes one plain client over the API for the others to look at; removed again at the end. */
test.beforeAll(async ({ playwright }) => {
  const admin = await playwright.request.newContext({ baseURL: E2E.baseURL, storageState: E2E.adminState });
  const created = await admin.post("/api/broker/clients", {
    data: { username: client, password: "e2e-roles-password" },
    headers: { Origin: E2E.baseURL },
  });
  expect(created.status()).toBe(200);
  await admin.dispose();
});

test.afterAll(async ({ playwright }) => {
  const admin = await playwright.request.newContext({ baseURL: E2E.baseURL, storageState: E2E.adminState });
  const deleted = await admin.delete(`/api/broker/clients/${client}`, { headers: { Origin: E2E.baseURL } });
  expect(deleted.status()).toBe(200);
  await admin.dispose();
});

test("a monitoringViewer sees only the broker's status, with its figures", async ({ page }, testInfo) => {
  await signInWithSso(page, "monty");
  await page.goto("/account");
  const menu = page.getByRole("navigation", { name: "Main" });
  // The Broker entry, and none of the Tokens views (a monitoringViewer may use none of them).
  for (const name of ["App Tokens", "MQTT credentials", "Devices"])
    await expect(menu.getByRole("link", { name })).toHaveCount(0);
  await menu.getByRole("link", { name: "Broker" }).click();
  await expect(page).toHaveURL(/\/broker$/);
  await expect(page.getByRole("heading", { level: 1, name: "Broker status" })).toBeVisible();
  // One view only: no tabs.
  await expect(page.getByRole("navigation", { name: "Broker views" })).toHaveCount(0);
  await expect(page.getByTestId("figure-Version")).toHaveText(/^mosquitto version \d+\.\d+\.\d+$/);
  await expect(page.getByTestId("figure-Clients connected")).toHaveText(/^\d+$/);
  await expect(page.getByTestId("figure-Uptime")).toHaveText(/\d+ (d|h|min|s)/);
  await expect(page.getByTestId("status-age")).toHaveText(/^Figures \d+ s old$/);
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(page.getByRole("button", { name: "Refresh" })).toBeEnabled();
  await page.screenshot({ path: testInfo.outputPath("broker-status.png"), fullPage: true });
  for (const path of ["/broker/clients", "/broker/roles", "/broker/groups"]) {
    const response = await page.goto(path);
    expect(response!.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: FORBIDDEN })).toBeVisible();
  }
});

test("a viewer sees the lists but nothing that changes them", async ({ page }, testInfo) => {
  await signInWithSso(page, "bob");
  await page.goto("/broker/clients");
  const tabs = page.getByRole("navigation", { name: "Broker views" }).getByRole("link");
  await expect(tabs).toHaveText(["Status", "Clients", "Roles", "Groups"]);
  await expect(row(page, client)).toContainText("enabled");
  await expect(row(page, E2E.brokerAdmin.username)).toContainText("Managed by Tessera");
  await expect(page.getByRole("button", { name: "New client" })).toHaveCount(0);
  await expect(page.locator('[data-testid="client-row"]').getByRole("button")).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("broker-clients-viewer.png"), fullPage: true });
  await tabs.filter({ hasText: "Roles" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Broker roles" })).toBeVisible();
  await expect(page.locator('[data-testid="role-row"]').first()).toBeVisible();
  await expect(page.getByRole("button", { name: "New role" })).toHaveCount(0);
  await expect(page.locator('[data-testid="role-row"]').getByRole("button")).toHaveCount(0);
  await tabs.filter({ hasText: "Groups" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Broker groups" })).toBeVisible();
  await expect(page.getByRole("button", { name: "New group" })).toHaveCount(0);
});

test("a connectionManager sees the clients with enable and disable only", async ({ page }) => {
  await signInWithSso(page, "connie");
  await page.goto("/broker/clients");
  const tabs = page.getByRole("navigation", { name: "Broker views" }).getByRole("link");
  await expect(tabs).toHaveText(["Status", "Clients"]);
  await expect(page.getByRole("button", { name: "New client" })).toHaveCount(0);
  await expect(row(page, client).getByRole("button")).toHaveText(["Disable"]);
  await row(page, client)
    .getByRole("button", { name: `Disable ${client}` })
    .click();
  await page.getByRole("dialog", { name: "Disable client" }).getByRole("button", { name: "Disable" }).click();
  await expect(row(page, client)).toContainText("disabled");
  await expect(row(page, client).getByRole("button")).toHaveText(["Enable"]);
  await row(page, client)
    .getByRole("button", { name: `Enable ${client}` })
    .click();
  await expect(row(page, client)).toContainText("enabled");
  const response = await page.goto("/broker/roles");
  expect(response!.status()).toBe(403);
});

test("an editor creates a role and a client in the Broker tab", async ({ page }) => {
  await signInWithSso(page, "edith");
  const [rolename, username] = [`e2e-editor-role-${id}`, `e2e-editor-client-${id}`];
  await page.goto("/broker/roles");
  await page.getByRole("button", { name: "New role" }).click();
  let dialog = page.getByRole("dialog", { name: "New role" });
  await dialog.getByLabel("Role name").fill(rolename);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.locator(`[data-testid="role-row"][data-rolename="${rolename}"]`)).toBeVisible();

  await page.goto("/broker/clients");
  await page.getByRole("button", { name: "New client" }).click();
  dialog = page.getByRole("dialog", { name: "New client" });
  await dialog.getByLabel("Username").fill(username);
  await dialog.getByLabel("Password").fill("an-editor-chose-this");
  await dialog.getByRole("group", { name: "Roles" }).getByLabel(rolename).check();
  await dialog.getByRole("button", { name: "Create" }).click();
  // A password the editor typed is not shown back.
  await expect(page.getByRole("dialog", { name: "Password generated" })).toHaveCount(0);
  await expect(row(page, username)).toContainText(rolename);
  await expect(row(page, username).getByRole("button")).toHaveText(["Edit", "Set password", "Disable", "Delete"]);

  // Clean up through the console: the client, then the role.
  await row(page, username)
    .getByRole("button", { name: `Delete ${username}` })
    .click();
  await page.getByRole("dialog", { name: "Delete client" }).getByRole("button", { name: "Delete" }).click();
  await expect(row(page, username)).toHaveCount(0);
  await page.goto("/broker/roles");
  await page.getByRole("button", { name: `Delete ${rolename}` }).click();
  await page.getByRole("dialog", { name: "Delete role" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.locator(`[data-testid="role-row"][data-rolename="${rolename}"]`)).toHaveCount(0);
});

test("signed out, every Broker view sends the browser to sign in and back to it", async ({ playwright }) => {
  const anonymous = await playwright.request.newContext({
    baseURL: E2E.baseURL,
    storageState: { cookies: [], origins: [] },
  });
  for (const path of ["/broker", "/broker/clients", "/broker/roles", "/broker/groups"]) {
    const response = await anonymous.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(307);
    expect(response.headers().location, path).toBe(`/login?callbackUrl=${encodeURIComponent(path)}`);
  }
  await anonymous.dispose();
});
