import { expect, test } from "@playwright/test";
import { E2E } from "../constants.ts";

test.use({ storageState: E2E.adminState });

const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

test("create a token in the UI, copy it, use it over HTTP, revoke it, and it stops working", async ({
  page,
  request,
}, testInfo) => {
  await page.goto("/tokens");
  await expect(page.getByRole("heading", { name: "App Tokens" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "App Tokens" })).toBeVisible();
  await expect(
    page.getByRole("navigation", { name: "Token kinds" }).getByRole("link", { name: "App Tokens" }),
  ).toHaveAttribute("aria-current", "page");
  await page.screenshot({ path: testInfo.outputPath("tokens-table.png"), fullPage: true });

  const name = uniqueName("ui");
  await page.getByRole("button", { name: "New Token" }).click();
  const dialog = page.getByRole("dialog", { name: "New Token" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Token Name").fill(name);
  await expect(dialog.getByText(`${name.length}/30`)).toBeVisible();
  await dialog.getByLabel("Role").selectOption("viewer");
  await dialog.getByRole("button", { name: "30 days" }).click();
  await page.screenshot({ path: testInfo.outputPath("new-token-dialog.png") });
  await dialog.getByRole("button", { name: "Create" }).click();

  const created = page.getByRole("dialog", { name: "Token created" });
  await expect(created.getByText("It will never be shown again")).toBeVisible();
  const shown = (await created.getByTestId("new-token").textContent())!;
  await created.getByRole("button", { name: "Copy token" }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(shown);
  expect(copied).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  await page.screenshot({ path: testInfo.outputPath("token-created.png") });

  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${copied}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ kind: "token", role: "viewer", name });

  await created.getByRole("button", { name: "Done" }).click();
  const row = page.locator(`[data-testid="token-row"][data-name="${name}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText("viewer");
  await expect(row).toContainText("Valid");
  await expect(row).toContainText("admin");

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke token" });
  await expect(confirm).toContainText(name);
  await confirm.getByRole("button", { name: "Revoke", exact: true }).click();
  await expect(row).toHaveCount(0);

  const after = await request.get("/api/me", { headers: { Authorization: `Bearer ${copied}` } });
  expect(after.status()).toBe(403);
  expect(await after.text()).toBe("Token not found or was revoked");
});

test("the form shows the API's own validation messages", async ({ page }) => {
  await page.goto("/tokens");
  const name = uniqueName("dup");
  for (const attempt of [1, 2]) {
    await page.getByRole("button", { name: "New Token" }).click();
    const dialog = page.getByRole("dialog", { name: "New Token" });
    await dialog.getByLabel("Token Name").fill(name);
    await dialog.getByRole("button", { name: "Create" }).click();
    if (attempt === 1)
      await page.getByRole("dialog", { name: "Token created" }).getByRole("button", { name: "Done" }).click();
    else await expect(dialog.getByText("Token with the same name already exists")).toBeVisible();
  }
  const dialog = page.getByRole("dialog", { name: "New Token" });
  await dialog.getByLabel("Token Name").fill("   ");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByText("name must not be empty")).toBeVisible();
  await dialog.getByLabel("Token Name").fill(uniqueName("past"));
  await dialog.getByLabel("Valid Until").fill("2020-01-01T00:00");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByText("validUntil must be in the future")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
});

test("sorting by name, and the session cookie is HttpOnly and SameSite=Lax", async ({ page, context }) => {
  await page.goto("/tokens");
  await page.getByRole("button", { name: "Name" }).click();
  await expect(page.getByRole("columnheader", { name: "Name" })).toHaveAttribute("aria-sort", "ascending");
  const names = await page
    .getByTestId("token-row")
    .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-name")!));
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
  const session = (await context.cookies()).find((cookie) => cookie.name.endsWith("next-auth.session-token"));
  expect(session).toBeDefined();
  expect(session!.httpOnly).toBe(true);
  expect(session!.sameSite).toBe("Lax");
});

test("the server's refusal is shown on the field it is about, also where its sentence does not name the field", async ({
  page,
}) => {
  const name = uniqueName("rt-admin");
  const created = await page.request.post("/api/tokens", {
    headers: { Origin: E2E.baseURL },
    data: { name, role: "viewer", validUntil: new Date(Date.now() + 86_400_000).toISOString() },
  });
  expect(created.status()).toBe(200);
  await page.goto("/tokens");
  await page.getByRole("button", { name: "New Token" }).click();
  const dialog = page.getByRole("dialog", { name: "New Token" });
  const nameField = dialog.getByLabel("Token Name");
  // A Cyrillic "а" in place of the Latin "a": the 409 says "Token name looks like ...".
  await nameField.fill(name.replace("a", "\u0430"));
  await dialog.getByRole("button", { name: "Create" }).click();
  const sentence = `Token name looks like the existing token ${JSON.stringify(name)}; choose another name`;
  await expect(nameField).toHaveAttribute("aria-invalid", "true");
  await expect(nameField).toHaveAccessibleDescription(sentence);
  await expect(dialog.getByRole("alert")).toHaveCount(0);

  await nameField.fill(uniqueName("past"));
  await dialog.getByLabel("Valid Until").fill("2020-01-01T00:00");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByLabel("Valid Until")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Valid Until")).toHaveAccessibleDescription(/validUntil must be in the future$/);
  await expect(nameField).toHaveAttribute("aria-invalid", "false");
});

test("disable and enable a token, then rotate it with a grace: both listed, the new one shown once", async ({
  page,
  request,
}, testInfo) => {
  const name = uniqueName("rot");
  const created = await request.post("/api/tokens", {
    data: { name, role: "viewer", validUntil: new Date(Date.now() + 7 * 86_400_000).toISOString() },
    headers: { Origin: E2E.baseURL },
  });
  expect(created.status()).toBe(200);
  const old = (await created.json()) as { token: string; hash: string };
  const use = (token: string) => request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });

  await page.goto("/tokens");
  const row = page.locator(`[data-testid="token-row"][data-name="${name}"]`);
  await row.getByRole("button", { name: `Disable ${name}` }).click();
  await expect(row).toContainText("Disabled");
  expect((await use(old.token)).status()).toBe(403);
  await row.getByRole("button", { name: `Enable ${name}` }).click();
  await expect(row.getByText("Valid", { exact: true })).toBeVisible();
  expect((await use(old.token)).status()).toBe(200);

  await row.getByRole("button", { name: `Rotate ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: "Rotate token" });
  await dialog.getByLabel("1 hour").check();
  await page.screenshot({ path: testInfo.outputPath("rotate-dialog.png") });
  await dialog.getByRole("button", { name: "Rotate" }).click();
  const rotated = page.getByRole("dialog", { name: "Token rotated" });
  await expect(rotated.getByText("It will never be shown again")).toBeVisible();
  const fresh = (await rotated.getByTestId("new-token").textContent())!;
  expect(fresh).toMatch(/^eyJ/);
  await rotated.getByRole("button", { name: "Done" }).click();

  // Both rows: the old one says what replaced it and until when.
  await expect(row).toHaveCount(2);
  await expect(page.getByTestId("replaced-by")).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath("token-rotated.png"), fullPage: true });
  expect((await use(fresh)).status()).toBe(200);
  expect((await use(old.token)).status()).toBe(200); // its grace: an hour
});
