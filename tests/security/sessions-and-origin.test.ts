import assert from "node:assert/strict";
import os from "node:os";
import { after, before, describe, test } from "node:test";
import { engine } from "../helpers/database.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { outcome, securityReport } from "../helpers/report.ts";
import { startServer } from "../helpers/server.ts";
import { signIn, signOut } from "../helpers/session.ts";
import { inDays } from "../helpers/tokens.ts";
import { cli as cliOn, createUsers, sessionCookie } from "../helpers/users.ts";
import { sleep } from "../helpers/wait.ts";

// Issue 14 (security round two): what ends a session, the role a session
// carries, and the same-origin rule at any address. Request bodies, pages and
// sign-in answers: sign-in-pages-and-bodies.test.ts; the sign-in throttle:
// sign-in-throttle.test.ts.

const report = securityReport(import.meta.filename);
const ADMIN_PASSWORD = "admin-password-for-sessions-0123";
let tessera: Instance;
let passwords: Record<string, string> = {};

const cli = (...commands: string[][]) => cliOn(tessera, ...commands);
const me = (cookie: string, base = tessera.url) => call(`${base}/api/me`, { headers: { cookie } });
const createWith = (cookie: string, origin: string, base = tessera.url, headers: Record<string, string> = {}) =>
  call(`${base}/api/tokens`, {
    method: "POST",
    headers: { cookie, origin, ...headers },
    body: { name: `so-${Math.random().toString(36).slice(2, 12)}`, role: "viewer", validUntil: inDays(1) },
  });

const session = (username: string, base = tessera.url) =>
  sessionCookie(base, username, passwords[username] ?? ADMIN_PASSWORD);

before(async () => {
  tessera = await createInstance({
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000",
  });
  passwords = await createUsers(tessera, [
    ["sess-out", "admin"],
    ["sess-promoted", "viewer"],
    ["sess-none", "editor"],
    ["sess-password", "admin"],
    ["sess-origin", "admin"],
  ]);
});
after(async () => {
  await tessera?.close();
});

describe("what ends a session", () => {
  test("signing out ends the session on the server: a saved copy of its cookie no longer works", async () => {
    const saved = await session("sess-out");
    report.check("Sessions", "saved cookie before sign-out: GET /api/me", "200", String((await me(saved)).status));
    const out = await signOut(tessera.url, saved);
    report.check("Sessions", "POST /api/auth/signout", "200", String(out.status));
    report.check("Sessions", "saved cookie after sign-out: GET /api/me", "401", String((await me(saved)).status));
    report.check(
      "Sessions",
      "saved cookie after sign-out: POST /api/tokens (mint a token)",
      "401",
      String((await createWith(saved, new URL(tessera.url).origin)).status),
    );
    const page = await fetch(`${tessera.url}/tokens`, { headers: { cookie: saved }, redirect: "manual" });
    report.check(
      "Sessions",
      "saved cookie after sign-out: GET /tokens (console)",
      "307 /login",
      `${page.status} ${page.headers.get("location")?.replace(/\?.*$/, "")}`,
    );
  });

  test('"sign out everywhere" ends every session of that user, and only theirs', async () => {
    const first = await session("sess-out");
    const second = await session("sess-out");
    const other = await session("sess-origin");
    const ended = await call(`${tessera.url}/api/me/sessions`, {
      method: "DELETE",
      headers: { cookie: first, origin: new URL(tessera.url).origin },
    });
    report.check("Sessions", "DELETE /api/me/sessions (sign out everywhere)", "200", String(ended.status));
    report.check(
      "Sessions",
      "after sign out everywhere: the session that asked",
      "401",
      String((await me(first)).status),
    );
    report.check(
      "Sessions",
      "after sign out everywhere: the user's other session",
      "401",
      String((await me(second)).status),
    );
    report.check(
      "Sessions",
      "after sign out everywhere: another user's session",
      "200",
      String((await me(other)).status),
    );
    const token = await call(`${tessera.url}/api/me/sessions`, { method: "DELETE", token: tessera.adminToken });
    report.check(
      "Sessions",
      "DELETE /api/me/sessions with an app token",
      "400 Only a signed-in console session has sessions to end",
      outcome(token),
    );
  });

  test("a password change and a role change to none end all of that user's sessions; a promotion applies at once", async () => {
    const changed = [await session("sess-password"), await session("sess-password")];
    const demoted = await session("sess-none");
    const promoted = await session("sess-promoted");
    report.check(
      "Sessions",
      "viewer session before promotion: GET /api/tokens",
      "403 Forbidden",
      outcome(await call(`${tessera.url}/api/tokens`, { headers: { cookie: promoted } })),
    );
    await cli(
      ["users", "set-password", "sess-password"],
      ["users", "set-role", "sess-none", "none"],
      ["users", "set-role", "sess-promoted", "admin"],
    );
    const statuses = await Promise.all(changed.map(async (cookie) => (await me(cookie)).status));
    report.check("Sessions", "both sessions after a password change: GET /api/me", "401, 401", statuses.join(", "));
    report.check(
      "Sessions",
      "session after a role change to none: GET /api/me",
      "401",
      String((await me(demoted)).status),
    );
    const again = await signIn(tessera.url, "sess-none", passwords["sess-none"]!);
    report.check(
      "Sessions",
      "sign-in with the right password after a role change to none",
      "Your account has no access to Tessera",
      String(again.error),
    );
    const list = await call(`${tessera.url}/api/tokens`, { headers: { cookie: promoted } });
    report.check("Sessions", "session of a user promoted to admin: GET /api/tokens", "200", String(list.status));
  });

  test(
    "sign-out and sign out everywhere through one instance end the session on another at once",
    { skip: engine !== "postgres" && "PostgreSQL only: the embedded database is one process's" },
    async () => {
      const second = await startServer(tessera.env);
      try {
        const cookie = await session("sess-origin");
        report.check(
          "Sessions (PostgreSQL, two instances)",
          "session on instance 2 before sign-out on instance 1",
          "200",
          String((await me(cookie, second.url)).status),
        );
        await signOut(tessera.url, cookie);
        report.check(
          "Sessions (PostgreSQL, two instances)",
          "instance 2, the very next request after sign-out on instance 1",
          "401",
          String((await me(cookie, second.url)).status),
        );
        const other = await session("sess-origin", second.url);
        await call(`${tessera.url}/api/me/sessions`, {
          method: "DELETE",
          headers: { cookie: await session("sess-origin"), origin: new URL(tessera.url).origin },
        });
        report.check(
          "Sessions (PostgreSQL, two instances)",
          "instance 2, the very next request after sign out everywhere on instance 1",
          "401",
          String((await me(other, second.url)).status),
        );
      } finally {
        await second.stop();
      }
    },
  );
});

describe("sessions racing a password change", () => {
  test(
    "a sign-in that checked the old password while it changed gets no session that works",
    { skip: engine !== "postgres" && "PostgreSQL only: the CLI runs beside the server" },
    async () => {
      const [created] = await cli(["users", "create", "sess-race", "--role", "viewer"]);
      const old = created!.trim().split("\n")[0]!;
      const attempts: Promise<string | undefined>[] = [];
      let changing = true;
      const change = tessera.cli(["users", "set-password", "sess-race"]).finally(() => (changing = false));
      // Sign-ins with the old password, one every 40 ms, until the change is done, and a few after.
      const attempt = async () => {
        attempts.push(signIn(tessera.url, "sess-race", old).then((result) => result.cookie));
        await sleep(40);
      };
      while (changing && attempts.length < 400) await attempt();
      for (let i = 0; i < 5; i++) await attempt();
      assert.equal((await change).code, 0, "set-password");
      const cookies = (await Promise.all(attempts)).filter((cookie): cookie is string => Boolean(cookie));
      const working = (await Promise.all(cookies.map(async (cookie) => (await me(cookie)).status))).filter(
        (status) => status === 200,
      ).length;
      report.check(
        "Sessions",
        `sign-ins with the old password around a password change (${attempts.length} tried, ${cookies.length} got a cookie): cookies that still work`,
        "0",
        String(working),
      );
    },
  );
});

describe("the same-origin rule, at whatever address the console is opened", () => {
  const port = () => new URL(tessera.url).port;
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address && address.family === "IPv4" && !address.internal)?.address;

  test("a write from the page's own origin works at 127.0.0.1, localhost and a LAN address", async () => {
    for (const host of ["127.0.0.1", "localhost", ...(lan ? [lan] : [])]) {
      const base = `http://${host}:${port()}`;
      const cookie = await session("sess-origin", base);
      const response = await createWith(cookie, base, base);
      report.check(
        "Same-origin rule",
        `session write at ${host === lan ? "the LAN address" : host} with Origin = that address`,
        "200",
        String(response.status),
      );
    }
  });

  test("a foreign Origin stays refused, whatever else the request says", async () => {
    const base = `http://127.0.0.1:${port()}`;
    const cookie = await session("sess-origin", base);
    const refused = "403 Forbidden: cross-origin request refused";
    const cases: [string, string, Record<string, string>][] = [
      ["https://evil.example", "Origin https://evil.example", {}],
      [`http://evil.example:${port()}`, "Origin on another host, same port", {}],
      [
        `https://127.0.0.1:${port()}`.replace("https", "http").replace("127.0.0.1", "127.0.0.2"),
        "Origin 127.0.0.2 (another loopback name)",
        {},
      ],
      ["null", 'Origin "null"', {}],
      [
        "https://evil.example",
        "X-Forwarded-Host: evil.example without TESSERA_TRUST_PROXY",
        { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
      ],
    ];
    for (const [origin, label, headers] of cases) {
      report.check(
        "Same-origin rule",
        `session write, ${label}`,
        refused,
        outcome(await createWith(cookie, origin, base, headers)),
      );
    }
    const missing = await call(`${base}/api/tokens`, {
      method: "POST",
      headers: { cookie },
      body: { name: "no-origin", role: "viewer", validUntil: inDays(1) },
    });
    report.check("Same-origin rule", "session write without Origin", refused, outcome(missing));
  });
});
