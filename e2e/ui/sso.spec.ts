import { expect, test } from "@playwright/test";
import { E2E } from "../constants.ts";
import { signInWithSso } from "../sso.ts";

test("an SSO user in the admin group reaches the Tokens view", async ({ page }) => {
  await signInWithSso(page, "alice");
  await expect(page).toHaveURL(`${E2E.baseURL}/tokens`);
  await expect(page.getByRole("heading", { name: "App Tokens" })).toBeVisible();
  await expect(page.getByTestId("signed-in-user")).toContainText("admin");
  const me = await page.request.get("/api/me");
  expect(await me.json()).toMatchObject({ kind: "session", role: "admin", name: "alice@example.test" });
});

test("an SSO user without a mapped group gets the default role: no menu entry, and a 403 page on /tokens", async ({
  page,
}) => {
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
