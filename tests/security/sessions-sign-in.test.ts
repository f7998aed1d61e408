import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { engine } from "../helpers/database.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { outcome, securityReport } from "../helpers/report.ts";
import { startServer } from "../helpers/server.ts";
import { signIn, signOut } from "../helpers/session.ts";
import { GLOBAL_FREE_FAILURES, MAX_FAILURES, SLOWDOWN_STEP_MS } from "../../lib/users/login-throttle.ts";

// Issue 14 (security round two): what ends a session, the role a session
// carries, the same-origin rule at any address, request bodies that are never
// buffered, the sign-in throttle, and what sign-in callers may see.

const report = securityReport(import.meta.filename);
const ADMIN_PASSWORD = "admin-password-for-sessions-0123";
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
let tessera: Instance;
const passwords: Record<string, string> = {};

/** Runs CLI commands against the instance's database: at once on PostgreSQL, with the server stopped around them on the embedded one. */
async function cli(...commands: string[][]): Promise<string[]> {
  const results: { code: number | null; output: string }[] = [];
  const run = async () => {
    for (const args of commands) results.push(await tessera.cli(args));
  };
  if (engine === "postgres") await run();
  else await tessera.restart({}, run); // the server comes back whatever the commands did
  results.forEach((result, i) =>
    assert.equal(result.code, 0, `tessera ${commands[i]!.join(" ")} failed:\n${result.output}`),
  );
  return results.map((result) => result.output);
}

const me = (cookie: string, base = tessera.url) => call(`${base}/api/me`, { headers: { cookie } });
const createWith = (cookie: string, origin: string, base = tessera.url, headers: Record<string, string> = {}) =>
  call(`${base}/api/tokens`, {
    method: "POST",
    headers: { cookie, origin, ...headers },
    body: { name: `so-${Math.random().toString(36).slice(2, 12)}`, role: "viewer", validUntil: inDays(1) },
  });

async function session(username: string, base = tessera.url): Promise<string> {
  const result = await signIn(base, username, passwords[username] ?? ADMIN_PASSWORD);
  assert.ok(result.cookie, `${username} could not sign in: ${result.error}`);
  return result.cookie!;
}

before(async () => {
  tessera = await createInstance({
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TESSERA_AUTH_FAILURES_PER_MINUTE: "1000000",
  });
  const users: [string, string][] = [
    ["sess-out", "admin"],
    ["sess-promoted", "viewer"],
    ["sess-none", "editor"],
    ["sess-password", "admin"],
    ["sess-origin", "admin"],
  ];
  const outputs = await cli(...users.map(([name, role]) => ["users", "create", name, "--role", role]));
  users.forEach(([name], i) => (passwords[name] = outputs[i]!.trim().split("\n")[0]!));
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
        await new Promise((resolve) => setTimeout(resolve, 40));
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

/** POSTs size bytes to path, Content-Length declared (or chunked), and resolves with the status (or "reset" if no answer came). */
function bigPost(base: string, path: string, body: Buffer, chunked = false): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: string) => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", ...(chunked ? {} : { "content-length": body.length }) },
      },
      (response) => {
        response.resume();
        done(String(response.statusCode));
      },
    );
    request.on("error", () => setTimeout(() => done("reset"), 200));
    if (chunked) {
      for (let offset = 0; offset < body.length; offset += 64 * 1024)
        request.write(body.subarray(offset, offset + 64 * 1024));
      request.end();
    } else request.end(body);
  });
}

describe("request bodies are refused before they are buffered", () => {
  test("30 parallel 9.9 MB POSTs without credentials: all refused with 413, server memory stays flat", async () => {
    const rss = async () =>
      (await call(`${tessera.url}/api/metrics`, { token: tessera.adminToken })).body.rssBytes as number;
    const body = Buffer.alloc(9.9 * 1024 * 1024, 0x20);
    const before = await rss();
    const statuses = await Promise.all(Array.from({ length: 30 }, () => bigPost(tessera.url, "/api/me", body)));
    const counts = statuses.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    report.check(
      "Request bodies",
      "30 parallel 9.9 MB POST /api/me, no token",
      "30 x 413",
      Object.entries(counts)
        .map(([s, n]) => `${n} x ${s}`)
        .join(", "),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
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
  /** Sends raw bytes and resolves with the answer's status line (and body), or "no answer" after 5 s. */
  function raw(text: string, withBody = false): Promise<string> {
    const url = new URL(tessera.url);
    return new Promise((resolve) => {
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
      let answer = "";
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(answer.split("\r\n")[0] || "no answer");
      }, 5000);
      socket.on("data", (chunk) => (answer += chunk));
      socket.on("close", () => {
        clearTimeout(timer);
        const [head = "", body = ""] = answer.split("\r\n\r\n");
        resolve(
          !head
            ? "closed without an answer"
            : withBody
              ? `${head.split("\r\n")[0]} | ${body.trim()}`
              : head.split("\r\n")[0]!,
        );
      });
      socket.on("error", () => {});
    });
  }

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
    const cookie = await session("sess-origin");
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

describe("the sign-in throttle", () => {
  let proxied: Instance;
  before(async () => {
    proxied = await createInstance({ TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD, TESSERA_TRUST_PROXY: "true" });
  });
  after(async () => {
    await proxied?.close();
  });
  const from = (address: string) => ({ "x-forwarded-for": address });

  test("wrong passwords from one address do not lock the owner out from another", async () => {
    const answers: string[] = [];
    for (let i = 0; i <= MAX_FAILURES; i++)
      answers.push(String((await signIn(proxied.url, "admin", `wrong-${i}`, from("203.0.113.9"))).error));
    report.check(
      "Sign-in throttle",
      `${MAX_FAILURES + 1} wrong passwords for admin from one address: the last answer`,
      "Too many failed sign-ins; try again in 15 minutes",
      answers.at(-1)!,
    );
    const right = await signIn(proxied.url, "admin", ADMIN_PASSWORD, from("203.0.113.9"));
    report.check(
      "Sign-in throttle",
      "the right password from that address",
      "Too many failed sign-ins; try again in 15 minutes",
      String(right.error),
    );
    const owner = await signIn(proxied.url, "admin", ADMIN_PASSWORD, from("198.51.100.7"));
    report.check(
      "Sign-in throttle",
      "the owner from another address",
      "signed in",
      owner.cookie ? "signed in" : String(owner.error),
    );
  });

  test("behind a proxy, the address is the entry the proxy added, not one the client chose", async () => {
    const answers: string[] = [];
    for (let i = 0; i <= MAX_FAILURES; i++) {
      // nginx's $proxy_add_x_forwarded_for appends the peer address to whatever the client sent.
      answers.push(
        String(
          (await signIn(proxied.url, "admin", `wrong-${i}`, { "x-forwarded-for": `10.9.${i}.1, 203.0.113.77` })).error,
        ),
      );
    }
    report.check(
      "Sign-in throttle",
      `${MAX_FAILURES + 1} wrong passwords, a new spoofed first X-Forwarded-For entry each time: the last answer`,
      "Too many failed sign-ins; try again in 15 minutes",
      answers.at(-1)!,
    );
  });

  test("a burst of concurrent attempts gets exactly the limit's password checks", async () => {
    const username = `burst-${process.pid}`;
    const results = await Promise.all(
      Array.from({ length: 3 * MAX_FAILURES }, () =>
        signIn(proxied.url, username, "wrong-password", from("203.0.113.50")),
      ),
    );
    const checked = results.filter((result) => result.error === "Invalid username or password").length;
    report.check(
      "Sign-in throttle",
      `${3 * MAX_FAILURES} concurrent wrong attempts from one address: answered "Invalid username or password"`,
      String(MAX_FAILURES),
      String(checked),
    );
  });

  test("many addresses against one username slow it down, but never lock the owner out", async () => {
    const spread = GLOBAL_FREE_FAILURES + 4;
    for (let i = 0; i < spread; i++) await signIn(proxied.url, "admin", `spray-${i}`, from(`192.0.2.${i + 1}`));
    const started = Date.now();
    const owner = await signIn(proxied.url, "admin", ADMIN_PASSWORD, from("198.51.100.8"));
    const took = Date.now() - started;
    report.check(
      "Sign-in throttle",
      `owner after ${spread} failures from ${spread} addresses`,
      "signed in",
      owner.cookie ? "signed in" : String(owner.error),
    );
    const slowest = (spread - GLOBAL_FREE_FAILURES + 1) * SLOWDOWN_STEP_MS;
    report.note(
      "Sign-in throttle",
      "the owner's sign-in was slowed down",
      `>= ${slowest} ms`,
      `${took} ms`,
      took >= slowest,
    );
  });
});
