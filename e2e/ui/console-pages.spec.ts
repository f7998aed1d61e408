import { expect, test } from "@playwright/test";
import { E2E } from "../constants.ts";
import { signInWithSso } from "../sso.ts";

// Who gets which console page, by HTTP status: each Tokens view guards itself above its loading.tsx, so a refusal is
// a real 403 (a guard under a loading boundary would already have streamed a 200), and a session that has ended is
// sent to sign in and back to the page it asked for.

// Each view's path, its heading, and that heading's id (which the page's markup and its RSC payload both carry).
const VIEWS = [
  ["/tokens", "App Tokens", "tokens-heading"],
  ["/tokens/mqtt", "MQTT credentials", "mqtt-heading"],
  ["/tokens/devices", "Devices", "devices-heading"],
  ["/tokens/webhooks", "Webhooks", "webhooks-heading"],
] as const;
const FORBIDDEN = "You do not have access to this page";

test("a viewer gets a 403 page from every Tokens view, and none of the view", async ({ page }) => {
  await signInWithSso(page, "bob");
  for (const [path, , headingId] of VIEWS) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(403);
    const html = await response.text();
    expect(html, path).toContain(FORBIDDEN);
    expect(html, path).not.toContain(headingId);
    const shown = await page.goto(path);
    expect(shown!.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: FORBIDDEN })).toBeVisible();
  }
});

test("an admin gets every Tokens view with 200", async ({ browser }) => {
  const admin = await browser.newContext({ storageState: E2E.adminState });
  const page = await admin.newPage();
  for (const [path, heading] of VIEWS) {
    const response = await page.goto(path);
    expect(response!.status(), path).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: heading, exact: true })).toBeVisible();
    await expect(page.getByRole("heading", { name: FORBIDDEN })).toHaveCount(0);
  }
  await admin.close();
});

test("signed out: every console page sends the browser to sign in, and back to that page", async ({ playwright }) => {
  const anonymous = await playwright.request.newContext({
    baseURL: E2E.baseURL,
    storageState: { cookies: [], origins: [] },
  });
  for (const path of [...VIEWS.map(([view]) => view), "/account"]) {
    const response = await anonymous.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(307);
    expect(response.headers().location, path).toBe(`/login?callbackUrl=${encodeURIComponent(path)}`);
  }
  await anonymous.dispose();
});

test("a session that has ended is sent to sign in, and back to the page it asked for", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInWithSso(page, "bob");
  const saved = await context.storageState();
  const ended = await page.request.delete("/api/me/sessions", { headers: { Origin: E2E.baseURL } });
  expect(ended.status()).toBe(200);
  // A saved copy of the cookie: it still decodes (so the middleware lets it by), but its session is over.
  const replay = await browser.newContext({ storageState: saved });
  for (const path of ["/tokens/mqtt?from=bookmark", "/account"]) {
    const response = await replay.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(307);
    expect(response.headers().location, path).toBe(`/login?callbackUrl=${encodeURIComponent(path)}`);
  }
  await Promise.all([context.close(), replay.close()]);
});
