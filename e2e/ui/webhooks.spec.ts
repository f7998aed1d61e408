import { copyFile, mkdir } from "node:fs/promises";
import http from "node:http";
import type net from "node:net";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { E2E } from "../constants.ts";

test.use({ storageState: E2E.adminState });

/** What the receiver was sent: one entry per request, whatever its method. */
interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 (the e2e server allows private addresses): records each request, answers 204. */
async function startReceiver() {
  const hits: Hit[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      hits.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    // A unique path per run, so that the row's data-url names this run's endpoint only.
    url: `http://127.0.0.1:${port}/hooks/${Date.now().toString(36)}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// Issue 19: the Webhooks tab registers an endpoint (its secret shown once), sends it a test event that arrives signed,
// shows that attempt in the endpoint's delivery log, disables and enables it, and deletes it.
test("the Webhooks tab: create an endpoint, send a test event, read its delivery log, disable, enable, delete", async ({
  page,
  request,
}, testInfo) => {
  const receiver = await startReceiver();
  try {
    await page.goto("/tokens");
    const tabs = page.getByRole("navigation", { name: "Token kinds" });
    // Next to the Audit tab.
    await expect(tabs.getByRole("link")).toHaveText(["App Tokens", "MQTT credentials", "Devices", "Audit", "Webhooks"]);
    await tabs.getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
    await expect(tabs.getByRole("link", { name: "Webhooks" })).toHaveAttribute("aria-current", "page");

    await page.getByRole("button", { name: "New endpoint" }).click();
    const form = page.getByRole("dialog", { name: "New endpoint" });
    // A refused value is said next to its field (the API's own schema, checked before the request).
    await form.getByLabel("URL").fill("ftp://example.com/hooks");
    await form.getByRole("button", { name: "Create" }).click();
    await expect(form.getByLabel("URL")).toHaveAttribute("aria-invalid", "true");
    await expect(form.getByLabel("URL")).toHaveAccessibleDescription("url must be an absolute http or https URL");
    await form.getByLabel("Expiry thresholds (days)").fill("7, 0");
    await form.getByRole("button", { name: "Create" }).click();
    await expect(form.getByLabel("Expiry thresholds (days)")).toHaveAccessibleDescription(
      /expiringDays must be whole numbers of days from 1 to 365/,
    );

    await form.getByLabel("URL").fill(receiver.url);
    await form.getByLabel("Description (optional)").fill("e2e receiver");
    // Expiry events off: the scan would notify this receiver of every other spec's tokens (the suite shares a
    // server); revocations and rotations happen only when asked, and none is asked while this spec runs.
    await form.getByRole("checkbox", { name: "mqtt_credentials.expired" }).uncheck();
    await form.getByRole("checkbox", { name: "token.expiring" }).uncheck();
    await form.getByRole("checkbox", { name: "token.expired" }).uncheck();
    await expect(form.getByLabel("Expiry thresholds (days)")).toBeDisabled(); // they matter to token.expiring only
    await form.getByRole("button", { name: "Create" }).click();

    const created = page.getByRole("dialog", { name: "Endpoint created" });
    await expect(created.getByRole("alert")).toContainText("It will not be shown again.");
    const secret = (await created.getByTestId("webhook-secret").textContent())!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{20,}$/);
    await created.getByRole("button", { name: "Copy signing secret" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await created.getByRole("button", { name: "Done" }).click();
    await expect(created).toBeHidden();

    const row = page.locator(`[data-testid="webhook-row"][data-url="${receiver.url}"]`);
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("e2e receiver");
    await expect(row).toContainText("token.revoked");
    await expect(row).toContainText("token.rotated");
    await expect(row).not.toContainText("token.expiring");
    await expect(row).not.toContainText("mqtt_credentials.expired");
    await expect(row.getByTestId("webhook-status")).toHaveText("Enabled");
    await expect(row.getByTestId("webhook-pending")).toHaveText("0");
    // Shown once: not in the list, not after a reload, not in the API's list.
    await expect(page.getByText(secret)).toHaveCount(0);
    await page.reload();
    await expect(row).toHaveCount(1);
    expect(await page.content()).not.toContain(secret);
    const listed = await request.get("/api/webhooks");
    expect(listed.status()).toBe(200);
    const listedText = await listed.text();
    expect(listedText).not.toContain(secret);
    const endpoint = (JSON.parse(listedText) as { id: string; url: string; expiringDays: number[] }[]).find(
      (e) => e.url === receiver.url,
    )!;
    expect(endpoint.id).toMatch(/^ep_[0-9a-f]{32}$/);
    expect(endpoint.expiringDays).toEqual([7, 1]); // the server's default, sent by nobody

    // Send test event: one signed POST arrives (the dispatcher is nudged at once; it polls every second in e2e).
    await row.getByRole("button", { name: `Send test event to ${receiver.url}` }).click();
    await expect(page.getByRole("status").filter({ hasText: "queued" })).toContainText(`queued for ${receiver.url}`);
    await expect.poll(() => receiver.hits.length, { timeout: 15_000 }).toBe(1);
    const [hit] = receiver.hits;
    expect(hit!.method).toBe("POST");
    expect(new URL(receiver.url).pathname).toBe(hit!.path);
    expect(hit!.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(hit!.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(hit!.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(120);
    expect(hit!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    // The signature verifies under the secret the dialog showed (Standard Webhooks' reference implementation).
    const payload = new Webhook(secret).verify(hit!.body, {
      "webhook-id": String(hit!.headers["webhook-id"]),
      "webhook-timestamp": String(hit!.headers["webhook-timestamp"]),
      "webhook-signature": String(hit!.headers["webhook-signature"]),
    }) as { type: string; data: { endpointId: string } };
    expect(payload).toMatchObject({ type: "webhook.test", data: { endpointId: endpoint.id } });

    // The delivery log: that attempt, answered 204, the message delivered.
    await row.getByRole("button", { name: `Delivery log of ${receiver.url}` }).click();
    const log = page.getByRole("dialog", { name: `Delivery log of ${receiver.url}` });
    const attempts = log.getByTestId("delivery-row");
    await expect(async () => {
      await log.getByRole("button", { name: "Refresh" }).click();
      await expect(attempts.filter({ hasText: "delivered" })).toHaveCount(1, { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await expect(attempts).toHaveCount(1);
    const attempt = attempts.first();
    await expect(attempt).toHaveAttribute("data-type", "webhook.test");
    await expect(attempt).toContainText(String(hit!.headers["webhook-id"]));
    await expect(attempt.getByTestId("delivery-attempt")).toHaveText("1");
    await expect(attempt.getByTestId("delivery-status")).toHaveText("204");
    const at = await attempt.locator("time").getAttribute("datetime");
    expect(Math.abs(Date.now() - Date.parse(at!))).toBeLessThan(5 * 60_000);
    await page.screenshot({ path: testInfo.outputPath("webhook-deliveries.png") });
    await log.getByRole("button", { name: "Close" }).click();
    await expect(log).toBeHidden();
    // Delivered, so nothing is pending and no retry follows.
    await expect(row.getByTestId("webhook-pending")).toHaveText("0");
    expect(receiver.hits).toHaveLength(1);

    const screenshot = testInfo.outputPath("webhooks-tab.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    // The README's copy (the working directory is the repository).
    await mkdir("docs/screenshots", { recursive: true });
    await copyFile(screenshot, "docs/screenshots/webhooks-tab.png");

    // Disable (with who did it as the reason), then enable again; the API agrees each time.
    const enabledOf = async () =>
      ((await (await request.get(`/api/webhooks/${endpoint.id}`)).json()) as { enabled: boolean }).enabled;
    await row.getByRole("button", { name: `Disable ${receiver.url}` }).click();
    await expect(row.getByTestId("webhook-status")).toContainText("Disabled");
    await expect(row.getByTestId("webhook-status")).toContainText("disabled by");
    expect(await enabledOf()).toBe(false);
    await row.getByRole("button", { name: `Enable ${receiver.url}` }).click();
    await expect(row.getByTestId("webhook-status")).toHaveText("Enabled");
    expect(await enabledOf()).toBe(true);

    // Delete, behind a confirmation that names the URL; Cancel keeps it.
    await row.getByRole("button", { name: `Delete ${receiver.url}` }).click();
    const confirm = page.getByRole("dialog", { name: "Delete endpoint" });
    await expect(confirm).toContainText(receiver.url);
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toBeHidden();
    await expect(row).toHaveCount(1);
    await row.getByRole("button", { name: `Delete ${receiver.url}` }).click();
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(confirm).toBeHidden();
    await expect(row).toHaveCount(0);
    expect((await request.get(`/api/webhooks/${endpoint.id}`)).status()).toBe(404);
  } finally {
    await receiver.close();
  }
});
