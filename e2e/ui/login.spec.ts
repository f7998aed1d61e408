import { expect, test } from "@playwright/test";
import { E2E } from "../constants.ts";

test("signed-out browsers are sent to /login, which offers SSO and local sign-in", async ({ page }, testInfo) => {
  await page.goto("/tokens");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Ftokens$/);
  await expect(page.getByRole("heading", { name: "Sign in to Tessera" })).toBeVisible();
  await expect(page.getByRole("button", { name: `Sign in with ${E2E.ssoName}` })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("login.png"), fullPage: true });
});

test("a wrong password and an unknown user get the same answer", async ({ page }) => {
  const answers: string[] = [];
  for (const [username, password] of [
    ["admin", "not-the-password"],
    ["nobody-here", "whatever-password"],
  ]) {
    await page.goto("/login");
    await page.getByLabel("Username").fill(username!);
    await page.getByLabel("Password").fill(password!);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    const alert = page.getByRole("main").getByRole("alert");
    await expect(alert).toBeVisible();
    answers.push((await alert.textContent())!);
  }
  expect(answers).toEqual(["Invalid username or password", "Invalid username or password"]);
});

test("callbackUrl never leads off-site", async ({ page }) => {
  await page.goto("/login?callbackUrl=https%3A%2F%2Fevil.example%2Fsteal");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(E2E.adminPassword);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(`${E2E.baseURL}/tokens`);
});
