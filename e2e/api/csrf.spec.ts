import { expect, test } from "@playwright/test";
import { E2E } from "../constants.ts";

test.use({ storageState: E2E.adminState });

test("a cross-origin write with the session cookie is refused; a same-origin one works", async ({ page }) => {
  await page.goto("/tokens");
  const body = (name: string) => ({
    name,
    role: "viewer",
    validUntil: new Date(Date.now() + 86_400_000).toISOString(),
  });
  for (const origin of ["https://evil.example", "null"]) {
    const response = await page.request.post("/api/tokens", {
      headers: { Origin: origin },
      data: body(`csrf-${origin.length}`),
    });
    expect(response.status(), origin).toBe(403);
    expect(await response.text()).toBe("Forbidden: cross-origin request refused");
  }
  const list = await page.request.get("/api/tokens");
  expect(list.status()).toBe(200);
  expect((await list.json()).some((t: { name: string }) => t.name.startsWith("csrf-"))).toBe(false);

  const same = await page.request.post("/api/tokens", {
    headers: { Origin: E2E.baseURL },
    data: body(`same-${Date.now().toString(36)}`),
  });
  expect(same.status()).toBe(200);
  expect((await same.json()).requestedBy).toBe("admin");
});

test("API calls without any credentials get 401, not a redirect", async ({ playwright }) => {
  const anonymous = await playwright.request.newContext({
    baseURL: E2E.baseURL,
    storageState: { cookies: [], origins: [] },
  });
  const response = await anonymous.get("/api/tokens", { maxRedirects: 0 });
  expect(response.status()).toBe(401);
  await anonymous.dispose();
});
