import type { Page } from "@playwright/test";
import { E2E } from "./constants.ts";

const idp = `http://127.0.0.1:${E2E.oidcPort}`;

/**
 * Signs in through the real OpenID Connect provider's own login and consent
 * pages (e2e/oidc-server.mjs; any password). Returns once the browser has
 * left the provider, wherever it landed (the console, or the login page with
 * an error), so refused sign-ins can be checked too.
 */
export async function signInWithSso(page: Page, user: string) {
  await page.goto("/login");
  await page.getByRole("button", { name: `Sign in with ${E2E.ssoName}` }).click();
  await page.waitForURL((url) => url.href.startsWith(`${idp}/`));
  await page.locator('input[name="login"]').fill(user);
  await page.locator('input[name="password"]').fill("any-password");
  await page.locator('button[type="submit"]').click();
  const consent = page.locator('button[type="submit"]', { hasText: /continue/i });
  if (await consent.isVisible().catch(() => false)) await consent.click();
  await page.waitForURL((url) => !url.href.startsWith(`${idp}/`), { waitUntil: "commit" });
  await page.waitForLoadState("load").catch(() => {});
}
