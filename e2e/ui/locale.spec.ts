import { expect, test, type Page } from "@playwright/test";
import { E2E } from "../constants.ts";

// A German browser in Tokyo, whatever the server's own locale and time zone
// (the e2e server runs in UTC, en-US): dates are the viewer's.
test.use({ storageState: E2E.adminState, locale: "de-DE", timezoneId: "Asia/Tokyo" });

const pad = (n: number) => String(n).padStart(2, "0");

/** How de-DE writes an instant in Tokyo (UTC+9, no daylight saving), dateStyle medium and timeStyle short, worked out without Intl. */
function tokyoGerman(iso: string): string {
  const t = new Date(Date.parse(iso) + 9 * 3_600_000);
  return `${pad(t.getUTCDate())}.${pad(t.getUTCMonth() + 1)}.${t.getUTCFullYear()}, ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}

/** Hydration mismatches React reports (in a production build as minified errors #418, #423, #425). */
function watchHydration(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /hydrat|#418|#423|#425/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => {
    if (/hydrat|#418|#423|#425/i.test(error.message)) problems.push(error.message);
  });
  return problems;
}

test("the Tokens view shows dates in the viewer's locale and time zone, without a hydration mismatch", async ({
  page,
  request,
}, testInfo) => {
  // 15:19 UTC on a day about a month ahead: 00:19 the next day in Tokyo.
  const until = new Date(Date.now() + 30 * 86_400_000);
  until.setUTCHours(15, 19, 0, 0);
  const name = `locale-${Date.now().toString(36)}`;
  const created = await request.post("/api/tokens", {
    data: { name, role: "viewer", validUntil: until.toISOString() },
    headers: { Origin: E2E.baseURL },
  });
  expect(created.status()).toBe(200);
  const token = (await created.json()) as { token: string; validUntil: string; issueDate: string };
  expect(token.validUntil).toBe(until.toISOString());
  // Use it once, so Last Used has a date too.
  expect((await request.get("/api/me", { headers: { Authorization: `Bearer ${token.token}` } })).status()).toBe(200);

  const hydration = watchHydration(page);
  await page.goto("/tokens");
  const row = page.locator(`[data-testid="token-row"][data-name="${name}"]`);
  const validUntil = row.locator(`time[datetime="${token.validUntil}"]`);
  await expect(validUntil).toHaveText(tokyoGerman(token.validUntil));
  expect(tokyoGerman(token.validUntil)).toMatch(/^\d\d\.\d\d\.\d{4}, 00:19$/);
  await expect(row.locator(`time[datetime="${token.issueDate}"]`)).toHaveText(tokyoGerman(token.issueDate));

  const lastUsed = row.locator("time").nth(2);
  await expect(lastUsed).toHaveText(/^(jetzt|vor \d+ (Sekunden?|Minuten?))$/);
  const lastUsedIso = await lastUsed.getAttribute("datetime");
  expect(lastUsedIso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  await expect(lastUsed).toHaveAttribute("title", tokyoGerman(lastUsedIso!));
  await page.screenshot({ path: testInfo.outputPath("tokens-de-tokyo.png"), fullPage: true });
  expect(hydration, "no hydration mismatch").toEqual([]);
});

test("the MQTT credentials view shows expiry in the viewer's locale and time zone", async ({ page, request }) => {
  const email = `locale-${Date.now().toString(36)}@example.com`;
  const minted = await request.post("/api/mqtt/tokens", {
    data: { user_email: email },
    headers: { Origin: E2E.baseURL },
  });
  expect(minted.status()).toBe(200);
  const { expires_at } = (await minted.json()) as { expires_at: string };

  const hydration = watchHydration(page);
  await page.goto("/tokens/mqtt");
  const expires = page.locator(`[data-testid="mqtt-row"][data-email="${email}"] time`);
  await expect(expires).toHaveAttribute("datetime", expires_at);
  await expect(expires).toHaveText(/^in (5\d|60) Minuten$/);
  await expect(expires).toHaveAttribute("title", tokyoGerman(expires_at));
  expect(hydration, "no hydration mismatch").toEqual([]);
});
