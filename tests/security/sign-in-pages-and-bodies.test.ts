import { after, before, describe, test } from "node:test";
import pg from "pg";
import { engine } from "../helpers/database.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { bigPost, rawRequest } from "../helpers/raw-http.ts";
import { securityReport } from "../helpers/report.ts";
import { signIn } from "../helpers/session.ts";
import { inDays } from "../helpers/tokens.ts";
import { sessionCookie } from "../helpers/users.ts";
import { sleep } from "../helpers/wait.ts";

// Issue 14 (security round two): request bodies that are never buffered,
// requests nothing serves, redirects after sign-in and the
// Content-Security-Policy, and what sign-in callers may see.

const report = securityReport(import.meta.filename);
const ADMIN_PASSWORD = "admin-password-for-sessions-0123";
let tessera: Instance;

before(async () => {
  tessera = await createInstance({
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000",
  });
});
after(async () => {
  await tessera?.close();
});

describe("request bodies are refused before they are buffered", () => {
  test("30 parallel 9.9 MB POSTs without credentials: all refused with 413, server memory stays flat", async () => {
    const rss = async () =>
      (await call(`${tessera.url}/api/metrics`, { token: tessera.adminToken })).body.rssBytes as number;
    const body = Buffer.alloc(9.9 * 1024 * 1024, 0x20);
    const flood = () => Promise.all(Array.from({ length: 30 }, () => bigPost(tessera.url, "/api/me", body)));
    // One flood first, unmeasured: right after the start the server's heap and socket pools are still growing to
    // their working size (CI on a loaded machine saw 85 MB from that alone). A buffered body would grow it again.
    await flood();
    await sleep(500);
    const before = await rss();
    const statuses = await flood();
    const counts = statuses.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    report.check(
      "Request bodies",
      "30 parallel 9.9 MB POST /api/me, no token",
      "30 x 413",
      Object.entries(counts)
        .map(([s, n]) => `${n} x ${s}`)
        .join(", "),
    );
    await sleep(500); // a moment for the refused requests' buffers to be let go before measuring
    const growth = (await rss()) - before;
    report.note(
      "Request bodies",
      "server RSS growth after them",
      "< 64 MB",
      `${(growth / 1048576).toFixed(1)} MB`,
      growth < 64 * 1048576,
    );
  });

  test("every path refuses an oversized body, declared or chunked", async () => {
    const body = Buffer.alloc(1024 * 1024, 0x20);
    for (const path of ["/api/tokens", "/api/auth/callback/credentials", "/login", "/", "/no-such-page"]) {
      report.check(
        "Request bodies",
        `1 MB POST ${path}, Content-Length declared`,
        "413",
        await bigPost(tessera.url, path, body),
      );
      report.check(
        "Request bodies",
        `1 MB POST ${path}, chunked (no length)`,
        "411",
        await bigPost(tessera.url, path, body, true),
      );
    }
    const small = await call(`${tessera.url}/api/tokens`, {
      method: "POST",
      token: tessera.adminToken,
      body: { name: `small-${process.pid}`, role: "viewer", validUntil: inDays(1) },
    });
    report.check("Request bodies", "a normal JSON body still works", "200", String(small.status));
  });
});

describe("requests nothing here serves are answered, not left hanging", () => {
  const raw = (text: string, withBody = false) => rawRequest(tessera.url, text, withBody);

  test("an Upgrade (WebSocket) request gets an answer and its connection is closed", async () => {
    const answer = await raw(
      "GET /api/tokens HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    );
    report.check(
      "Request bodies",
      "GET /api/tokens with Connection: Upgrade (websocket)",
      "HTTP/1.1 501 Not Implemented",
      answer,
    );
  });

  test("methods outside HTTP's usual ones get 501 with a sentence, not a 500", async () => {
    for (const [method, path] of [
      ["TRACE", "/"],
      ["TRACE", "/api/health"],
      ["PROPFIND", "/api/tokens"],
      ["QUERY", "/api/me"],
    ] as const) {
      const answer = await raw(
        `${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tessera.adminToken}\r\nConnection: close\r\n\r\n`,
        true,
      );
      report.check(
        "Methods",
        `${method} ${path}`,
        `HTTP/1.1 501 Not Implemented | Method ${method} is not supported`,
        answer,
      );
    }
  });
});

describe("pages: redirects after sign-in and the Content-Security-Policy", () => {
  test("a hostile callbackUrl never leaves the site and never breaks the page", async () => {
    const cookie = await sessionCookie(tessera.url, "admin", ADMIN_PASSWORD);
    for (const callback of [
      "/%09/evil.example",
      "/%5C/evil.example",
      "/%0D%0Ax",
      "//evil.example",
      "https://evil.example/",
    ]) {
      const signedIn = await fetch(`${tessera.url}/login?callbackUrl=${callback}`, {
        headers: { cookie },
        redirect: "manual",
      });
      report.check(
        "Redirects after sign-in",
        `signed in: GET /login?callbackUrl=${callback}`,
        "307 /tokens",
        `${signedIn.status} ${signedIn.headers.get("location")}`,
      );
      const signedOut = await fetch(`${tessera.url}/login?callbackUrl=${callback}`, { redirect: "manual" });
      const html = await signedOut.text();
      report.check(
        "Redirects after sign-in",
        `signed out: GET /login?callbackUrl=${callback} (the form's target)`,
        "200, /tokens",
        `${signedOut.status}, ${html.includes('\\"callbackUrl\\":\\"/tokens\\"') || html.includes('"callbackUrl":"/tokens"') ? "/tokens" : "another target"}`,
      );
    }
  });

  test("a crafted next-auth error link is reduced to its code, not answered 500", async () => {
    for (const code of ["%0Ainjected", "%0D%0ASet-Cookie:%20x=1", "AccessDenied"]) {
      const response = await fetch(`${tessera.url}/api/auth/error?error=${code}`, { redirect: "manual" });
      const location = response.headers.get("location");
      const target = location ? new URL(location, tessera.url) : undefined;
      report.check(
        "Redirects after sign-in",
        `GET /api/auth/error?error=${code}`,
        `302 /login?error=${decodeURIComponent(code).replace(/[^A-Za-z0-9]/g, "")}`,
        `${response.status} ${target ? `${target.pathname}${target.search}` : "(no location)"}`,
      );
    }
  });

  test("pages carry a nonce-based Content-Security-Policy without unsafe-inline, a new nonce each time", async () => {
    const policies = await Promise.all(
      [1, 2].map(async () => (await fetch(`${tessera.url}/login`)).headers.get("content-security-policy") ?? "(none)"),
    );
    const script = policies.map(
      (policy) => /script-src [^;]+/.exec(policy)?.[0].replace(/'nonce-[^']+'/, "'nonce-…'") ?? "(none)",
    );
    report.check(
      "Content-Security-Policy",
      "GET /login: script-src",
      "script-src 'self' 'nonce-…' 'strict-dynamic'",
      script[0]!,
    );
    report.check(
      "Content-Security-Policy",
      "GET /login: unsafe-inline anywhere",
      "no",
      policies[0]!.includes("unsafe-inline") ? "yes" : "no",
    );
    report.check(
      "Content-Security-Policy",
      "two responses, two nonces",
      "different",
      policies[0] !== policies[1] && !policies[0]!.includes("(none)") ? "different" : "same",
    );
    for (const path of ["/", "/login", "/no-such-page"]) {
      const response = await fetch(`${tessera.url}${path}`);
      const nonce = /'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
      const scripts = [...(await response.text()).matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
      const without = scripts.filter((tag) => !nonce || !tag.includes(`nonce="${nonce}"`)).length;
      report.check(
        "Content-Security-Policy",
        `GET ${path}: <script> tags without this response's nonce`,
        "0",
        `${without} of ${scripts.length}`.replace(/^0 of \d+$/, "0"),
      );
    }
  });
});

describe("what sign-in callers see", () => {
  test("a username with a NUL byte gets the ordinary answer, not database internals", async () => {
    const result = await signIn(tessera.url, "adm\u0000in", "whatever-password");
    report.check("Sign-in answers", "username with a NUL byte", "Invalid username or password", String(result.error));
  });

  test(
    "during a database outage the sign-in page shows a generic sentence and the log has the detail",
    { skip: engine !== "postgres" && "PostgreSQL only: the embedded database cannot be taken away from its process" },
    async () => {
      const name = new URL(tessera.env.DATABASE_URL!).pathname.slice(1);
      const root = new pg.Client({ connectionString: tessera.env.DATABASE_URL!.replace(/\/[^/]+$/, "/postgres") });
      await root.connect();
      try {
        await root.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await root.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
        const logged = tessera.server.output().length;
        const result = await signIn(tessera.url, "admin", ADMIN_PASSWORD);
        report.check(
          "Sign-in answers",
          "database down: sign-in",
          "Sign-in is not available right now; try again shortly",
          String(result.error),
        );
        const log = tessera.server.output().slice(logged);
        report.note(
          "Sign-in answers",
          "database down: the server log has the detail",
          "a log line naming the sign-in failure",
          log
            .split("\n")
            .find((line) => /sign-in/.test(line))
            ?.slice(0, 120) ?? "(none)",
          /sign-in failed/.test(log),
        );
      } finally {
        await root.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
        await root.end();
      }
    },
  );
});
