// Engine-independent: webhook URLs are refused (registration, DNS, each connection) and hostile receivers bounded before and apart from the database; the outbox itself runs on both engines in tests/webhooks.test.ts.
import assert from "node:assert/strict";
import http from "node:http";
import type net from "node:net";
import { after, before, describe, test } from "node:test";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { securityReport } from "../helpers/report.ts";
import { sleep, until } from "../helpers/wait.ts";
import { startReceiver, type Receiver } from "../helpers/webhook-receiver.ts";

// Issue 19: webhooks must not become a way into the host's network (SSRF). Without
// TESSERA_WEBHOOK_ALLOW_PRIVATE, an endpoint's url may not point to a loopback, private, link-local or other
// non-public address in any spelling; a name that resolves to one is refused too, at registration and again at
// every connection (so a name re-pointed after registration, DNS rebinding, gets nothing). Answers are bounded:
// redirects are not followed, a slow receiver times out, a huge answer is not read.

const report = securityReport(import.meta.filename);
const THEME = "Webhooks: SSRF and hostile receivers";
let tessera: Instance;
let receiver: Receiver;

const admin = (path: string, options: Parameters<typeof call>[1] = {}) =>
  call(`${tessera.url}${path}`, { token: tessera.adminToken, ...options });

before(async () => {
  receiver = await startReceiver();
  tessera = await createInstance({ TESSERA_WEBHOOK_POLL_SECONDS: "0.5", TESSERA_WEBHOOK_TIMEOUT_SECONDS: "1" });
});
after(async () => {
  await tessera?.close();
  await receiver?.close();
});

describe("webhook endpoints and SSRF", () => {
  test("registration refuses every spelling of a non-public address, and stores nothing", async () => {
    const port = new URL(receiver.url).port;
    for (const url of [
      receiver.url,
      `http://localhost:${port}/`,
      `http://127.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f000001:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://[::ffff:7f00:1]:${port}/`,
      `http://[::127.0.0.1]:${port}/`, // IPv4-compatible (found by an independent attack)
      `http://[::ffff:0:127.0.0.1]:${port}/`, // IPv4-translated (likewise)
      "http://0.0.0.0/",
      "http://10.1.2.3/",
      "http://172.16.0.1/",
      "http://192.168.1.1/",
      "http://100.64.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[fe80::1]/",
      "http://[fd00::1]/",
      "https://224.0.0.1/",
    ]) {
      const answer = await admin("/api/webhooks", { method: "POST", body: { url } });
      report.check(
        THEME,
        `POST /api/webhooks url ${url}`,
        "400 url must not point to a private, loopback, link-local or otherwise non-public address (set TESSERA_WEBHOOK_ALLOW_PRIVATE=true to allow)",
        `${answer.status} ${answer.body}`,
      );
    }
    const unresolvable = await admin("/api/webhooks", { method: "POST", body: { url: "http://nothing.invalid/" } });
    report.check(THEME, "a url whose host does not resolve", "400", String(unresolvable.status));
    report.check(THEME, "nothing stored", "[]", JSON.stringify((await admin("/api/webhooks")).body));
  });

  test("an endpoint registered while private addresses were allowed gets nothing once they are not", async () => {
    await tessera.restart({ TESSERA_WEBHOOK_ALLOW_PRIVATE: "true" });
    // token.rotated only: an expiry notice about the instance's own admin token must not go out before the restart.
    const created = await admin("/api/webhooks", {
      method: "POST",
      body: { url: receiver.url, events: ["token.rotated"] },
    });
    assert.equal(created.status, 200);
    receiver.secret = created.body.secret;
    await tessera.restart({ TESSERA_WEBHOOK_ALLOW_PRIVATE: "false" });
    await admin(`/api/webhooks/${created.body.id}/test`, { method: "POST" });
    const log = await until(async () => {
      const rows = (await admin(`/api/webhooks/${created.body.id}/deliveries`)).body.deliveries;
      return rows.length > 0 ? rows : null;
    }, 10_000);
    assert.ok(log, "the attempt is logged");
    report.check(
      THEME,
      "delivery to 127.0.0.1 after the allowance is withdrawn: status",
      "null",
      String(log[0].statusCode),
    );
    assert.match(log[0].error, /^refused: /);
    report.check(THEME, "requests the receiver got", "0", String(receiver.received.length));
    await admin(`/api/webhooks/${created.body.id}`, { method: "DELETE" });
  });

  test("redirects are not followed, a receiver that never answers times out, a huge answer is not read", async () => {
    await tessera.restart({ TESSERA_WEBHOOK_ALLOW_PRIVATE: "true", TESSERA_WEBHOOK_RETRY_SECONDS: "600" });
    let redirectTargetHits = 0;
    const sockets = new Set<net.Socket>();
    const hostile = http.createServer((req, res) => {
      if (req.url === "/redirect") return res.writeHead(307, { location: "/target" }).end();
      if (req.url === "/target") {
        redirectTargetHits++;
        return res.writeHead(204).end();
      }
      if (req.url === "/silent") return; // never answers
      if (req.url === "/huge") {
        res.writeHead(200, { "content-type": "text/plain" });
        const chunk = Buffer.alloc(64 * 1024, 120);
        let sent = 0;
        const more = () => {
          while (sent < 50 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
          if (sent < 50 * 1024 * 1024) res.once("drain", more);
          else res.end();
        };
        more();
      }
    });
    hostile.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(hostile.address() as net.AddressInfo).port}`;
    try {
      const expectations: [
        string,
        (row: { statusCode: number | null; error: string | null; durationMs: number }) => string,
      ][] = [
        ["/redirect", (row) => `${row.statusCode} ${row.error}`],
        ["/silent", (row) => `${row.statusCode} ${row.error}`],
        ["/huge", (row) => `${row.statusCode} ${row.error}`],
      ];
      const expected: Record<string, string> = {
        "/redirect": "307 redirects are not followed",
        "/silent": "null no answer within 1000 ms",
        "/huge": "200 answer over 65536 bytes: the rest was not read",
      };
      for (const [path, describe] of expectations) {
        const created = await admin("/api/webhooks", { method: "POST", body: { url: base + path } });
        assert.equal(created.status, 200);
        await admin(`/api/webhooks/${created.body.id}/test`, { method: "POST" });
        const row = await until(async () => {
          const rows = (await admin(`/api/webhooks/${created.body.id}/deliveries`)).body.deliveries;
          return rows[0] ?? null;
        }, 10_000);
        assert.ok(row, `${path}: an attempt is logged`);
        report.check(THEME, `receiver ${path}`, expected[path]!, describe(row));
        if (path === "/huge") assert.ok(row.durationMs < 5_000, `read for ${row.durationMs} ms`);
      }
      await sleep(500);
      report.check(THEME, "requests to the redirect's target", "0", String(redirectTargetHits));
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hostile.close(() => resolve()));
    }
  });
});
