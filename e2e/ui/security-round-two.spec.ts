import os from "node:os";
import { expect, test, type Page } from "@playwright/test";
import { E2E } from "../constants.ts";
import { signInWithSso } from "../sso.ts";

// Issue 14 in Chromium: redirects after sign-in stay on this site, the console
// works at another address than the configured one, the pages' CSP, and
// "sign out everywhere".

const HOSTILE_CALLBACKS = ["/%09/evil.example", "/%0A/evil.example", "/%5C/evil.example", "/%0D%0Ax"];

async function signInWithForm(page: Page, base = E2E.baseURL, path = "/login") {
  await page.goto(`${base}${path}`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(E2E.adminPassword);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test.describe("redirects after sign-in", () => {
  test("a signed-in user sent to /login with a hostile callbackUrl stays on this site", async ({ browser }) => {
    const context = await browser.newContext({ storageState: E2E.adminState });
    const page = await context.newPage();
    for (const callback of HOSTILE_CALLBACKS) {
      const response = await page.goto(`/login?callbackUrl=${callback}`);
      expect(response!.status(), callback).toBeLessThan(500);
      await expect(page, callback).toHaveURL(`${E2E.baseURL}/tokens`);
    }
    await context.close();
  });

  test("signing in through the form with a hostile callbackUrl lands on this site", async ({ browser }) => {
    for (const callback of HOSTILE_CALLBACKS) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const response = await page.goto(`/login?callbackUrl=${callback}`);
      expect(response!.status(), callback).toBe(200);
      await signInWithForm(page, E2E.baseURL, `/login?callbackUrl=${callback}`);
      await expect(page, callback).toHaveURL(`${E2E.baseURL}/tokens`);
      await context.close();
    }
  });
});

test("the console works at another address than NEXTAUTH_URL's (the LAN address): sign in and create a token", async ({
  browser,
}) => {
  // Neither NEXTAUTH_URL's host (127.0.0.1) nor localhost: the machine's LAN address, or another loopback name without one.
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address && address.family === "IPv4" && !address.internal)?.address;
  const other = E2E.baseURL.replace("127.0.0.1", lan ?? "127.0.0.2");
  expect(other).not.toBe(E2E.baseURL);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInWithForm(page, other, "/login");
  await expect(page).toHaveURL(`${other}/tokens`);
  const name = `lan-${Date.now().toString(36)}`;
  await page.getByRole("button", { name: "New Token" }).click();
  const dialog = page.getByRole("dialog", { name: "New Token" });
  await dialog.getByLabel("Token Name").fill(name);
  await dialog.getByLabel("Role").selectOption("viewer");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(
    page.getByRole("dialog", { name: "Token created" }).getByText("It will never be shown again"),
  ).toBeVisible();
  // A page on another site still cannot write with this session.
  const forged = await page.request.post(`${other}/api/tokens`, {
    headers: { Origin: "https://evil.example" },
    data: { name: `${name}-x`, role: "viewer", validUntil: new Date(Date.now() + 86_400_000).toISOString() },
  });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toBe("Forbidden: cross-origin request refused");
  // Signing out stays on this address too (next-auth's own redirect went to NEXTAUTH_URL's host).
  await page.getByRole("dialog", { name: "Token created" }).getByRole("button", { name: "Done" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${other}/login`);
  await context.close();
});

test.describe("Content-Security-Policy", () => {
  test.use({ storageState: E2E.adminState });

  test("every page has a nonce-based policy, runs without violations, and an injected script does not run", async ({
    page,
  }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    const nonces = new Set<string>();
    const paths = ["/", "/login", "/tokens", "/tokens/mqtt", "/tokens/devices", "/account", "/no-such-page"];
    for (const path of paths) {
      const response = await page.goto(path);
      const policy = response!.headers()["content-security-policy"] ?? "";
      expect(policy, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      expect(policy, path).not.toContain("unsafe-inline");
      expect(policy, path).toContain("frame-ancestors 'none'");
      nonces.add(/'nonce-([^']+)'/.exec(policy)![1]!);
      await page.waitForLoadState("networkidle");
    }
    expect(nonces.size, "a fresh nonce per response").toBe(paths.length);
    // The page is interactive (its scripts ran under the policy): the New Token dialog opens.
    await page.goto("/tokens");
    await page.getByRole("button", { name: "New Token" }).click();
    await expect(page.getByRole("dialog", { name: "New Token" })).toBeVisible();
    expect(violations, violations.join("\n")).toEqual([]);

    // Markup injected into the page (what an XSS would do): its inline handler must not run.
    const ran = await page.evaluate(async () => {
      const holder = document.createElement("div");
      holder.innerHTML = '<img src="data:," onload="window.__injected = true" onerror="window.__injected = true">';
      document.body.appendChild(holder);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran, "an injected inline handler must not run").toBe(false);
  });
});

test("sign out everywhere ends this browser's session and every other one of the user, and no one else's", async ({
  browser,
}) => {
  // bob (SSO, viewer), so the saved admin session the other specs use is not among them.
  const first = await browser.newContext();
  const second = await browser.newContext();
  const [a, b] = [await first.newPage(), await second.newPage()];
  await signInWithSso(a, "bob");
  await signInWithSso(b, "bob");
  const saved = await first.storageState();
  expect((await b.request.get("/api/me")).status(), "the second browser is signed in").toBe(200);

  await a.goto("/account");
  await a.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(a).toHaveURL(/\/login/);
  expect((await b.request.get("/api/me")).status(), "the other browser's session").toBe(401);
  await b.goto("/account");
  await expect(b).toHaveURL(/\/login/);
  const replay = await browser.newContext({ storageState: saved });
  expect((await replay.request.get("/api/me")).status(), "a saved copy of the first browser's cookie").toBe(401);
  const admin = await browser.newContext({ storageState: E2E.adminState });
  expect((await admin.request.get("/api/me")).status(), "another user's session is untouched").toBe(200);
  await Promise.all([first.close(), second.close(), replay.close(), admin.close()]);
});
