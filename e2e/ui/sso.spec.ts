import { expect, test, type Page } from "@playwright/test";
import { E2E } from "../constants.ts";

/** Signs in through the real OpenID Connect provider's own login and consent pages. */
async function signInWithSso(page: Page, user: string) {
  await page.goto("/login");
  await page.getByRole("button", { name: `Sign in with ${E2E.ssoName}` }).click();
  await page.waitForURL(new RegExp(`^http://127\\.0\\.0\\.1:${E2E.oidcPort}/`));
  await page.locator('input[name="login"]').fill(user);
  await page.locator('input[name="password"]').fill("any-password");
  await page.locator('button[type="submit"]').click();
  const consent = page.locator('button[type="submit"]', { hasText: /continue/i });
  if (await consent.isVisible().catch(() => false)) await consent.click();
  await page.waitForURL(new RegExp(`^${E2E.baseURL.replace(/\./g, "\\.")}/`));
}

test("an SSO user in the admin group reaches the Tokens view", async ({ page }) => {
  await signInWithSso(page, "alice");
  await expect(page).toHaveURL(`${E2E.baseURL}/tokens`);
  await expect(page.getByRole("heading", { name: "App Tokens" })).toBeVisible();
  await expect(page.getByTestId("signed-in-user")).toContainText("admin");
  const me = await page.request.get("/api/me");
  expect(await me.json()).toMatchObject({ kind: "session", role: "admin", name: "alice@example.test" });
});

test("an SSO user without a mapped group gets the default role: no menu entry, and a 403 page on /tokens", async ({ page }) => {
  await signInWithSso(page, "bob");
  const response = await page.goto("/tokens");
  expect(response!.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByTestId("account-role")).toHaveText("viewer");
  await expect(page.getByRole("link", { name: "App Tokens" })).toHaveCount(0);
  const api = await page.request.get("/api/tokens");
  expect(api.status()).toBe(403);
  expect(await api.text()).toBe("Forbidden");
});
