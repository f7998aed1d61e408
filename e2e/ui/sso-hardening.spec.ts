import { expect, test, type Page } from "@playwright/test";
import { E2E } from "../constants.ts";
import { signInWithSso } from "../sso.ts";

// SSO hardening in the browser, against the real OpenID Connect provider
// (e2e/oidc-server.mjs): admin emails need email_verified: true (the config
// lists dave, erin and frank in TESSERA_ADMIN_EMAILS), and an identity whose
// username is already taken lands on the login page with a sentence.

const CONFLICT =
  "This sign-in was refused: its email is already the username of another Tessera account. Ask an administrator.";
const GENERIC = "Sign-in failed. Try again.";

async function roleAfterSignIn(page: Page, user: string): Promise<string> {
  await signInWithSso(page, user);
  const me = await page.request.get("/api/me");
  return me.ok() ? String((await me.json()).role) : `GET /api/me ${me.status()} at ${page.url()}`;
}

test.describe("TESSERA_ADMIN_EMAILS needs email_verified: true", () => {
  test("a listed email without email_verified is not admin", async ({ page }) => {
    expect(await roleAfterSignIn(page, "dave")).toBe("viewer");
    const response = await page.goto("/tokens");
    expect(response!.status()).toBe(403);
  });

  test('a listed email with email_verified "false" (a string) is not admin', async ({ page }) => {
    expect(await roleAfterSignIn(page, "erin")).toBe("viewer");
  });

  test("a listed email with email_verified true is admin (the control)", async ({ page }) => {
    expect(await roleAfterSignIn(page, "frank")).toBe("admin");
    await page.goto("/tokens");
    await expect(page.getByRole("heading", { name: "App Tokens" })).toBeVisible();
  });
});

test.describe("an SSO identity whose username is taken", () => {
  test('an email equal to a local username ("admin"): the login page says why, and no session', async ({
    page,
  }, testInfo) => {
    await signInWithSso(page, "mallory");
    await expect(page).toHaveURL(`${E2E.baseURL}/login?error=AccountConflict`);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText(CONFLICT);
    await page.screenshot({ path: testInfo.outputPath("sso-conflict.png"), fullPage: true });
    expect((await page.request.get("/api/me")).status()).toBe(401);
  });

  test("a second subject with another SSO user's email is refused; the first still signs in", async ({ page }) => {
    expect(await roleAfterSignIn(page, "carol")).toBe("viewer");
    await page.context().clearCookies();
    await signInWithSso(page, "carol2");
    await expect(page).toHaveURL(`${E2E.baseURL}/login?error=AccountConflict`);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText(CONFLICT);
    expect((await page.request.get("/api/me")).status()).toBe(401);
    await page.context().clearCookies();
    expect(await roleAfterSignIn(page, "carol")).toBe("viewer");
    expect((await (await page.request.get("/api/me")).json()).name).toBe("carol@example.test");
  });
});

test.describe("the login page shows only its own sentences", () => {
  for (const [label, code] of [
    ["multi-line internal text", "\nInvalid `prisma.user.upsert()` invocation:\n\nUnique constraint failed"],
    ["an unknown code", "SomethingElse"],
    ["a name Object.prototype has (constructor)", "constructor"],
    ["__proto__", "__proto__"],
  ]) {
    test(`error=${label}: the generic sentence`, async ({ page }) => {
      const response = await page.goto(`/login?error=${encodeURIComponent(code!)}`);
      expect(response!.status()).toBe(200);
      await expect(page.getByRole("main").getByRole("alert")).toHaveText(GENERIC);
    });
  }
});
