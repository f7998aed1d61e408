// Engine-independent: SSO failures (a provider that is down, lies or answers garbage) are refused before any account is read or written; sso-accounts.test.ts covers the account rows on both engines.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Instance } from "../helpers/instance.ts";
import { alertOf, badHops, landing, startSsoInstance, walkSsoSignIn, type OidcProvider } from "../helpers/oidc.ts";
import { securityReport } from "../helpers/report.ts";
import { freePort } from "../helpers/server.ts";

// SSO hardening, against a real OpenID Connect provider (e2e/oidc-server.mjs)
// and the production build: any failure while signing in other than a taken
// username (sso-accounts.test.ts) shows a generic sentence on the login page
// and leaves the detail in the log.

const report = securityReport(import.meta.filename);
const GENERIC_SENTENCE = "Sign-in failed on the server. Try again later; if it keeps failing, tell an administrator.";

let tessera: Instance;
let oidc: OidcProvider;
/** The server's NEXTAUTH_URL: next-auth's cookies live on that host. */
let app: string;

before(async () => {
  ({ tessera, oidc, app } = await startSsoInstance());
});
after(async () => {
  await oidc?.stop();
  await tessera?.close();
});

/** The server log lines (stdout and stderr) printed after `mark` characters. */
const logSince = (mark: number) => tessera.server.output().slice(mark);

describe("SSO: any other failure while signing in", () => {
  test("a claim the database cannot store: the login page shows a generic sentence, the detail goes to the log", async () => {
    const mark = tessera.server.output().length;
    const walk = await walkSsoSignIn(app, `${"x".repeat(230)}`); // username <login>@example.test: past the 200-character column
    report.check(
      "SSO: other sign-in failures",
      "an over-long email (database error): where the browser lands",
      "200 /login?error=SignInFailed",
      landing(walk),
    );
    report.check(
      "SSO: other sign-in failures",
      "an over-long email: the login page says",
      GENERIC_SENTENCE,
      String(alertOf(walk.final.body)),
    );
    report.check(
      "SSO: other sign-in failures",
      "an over-long email: hops answering 5xx or redirecting to multi-line text",
      "none",
      badHops(walk),
    );
    const logged = logSince(mark).includes("error: SSO sign-in failed");
    report.check(
      "SSO: other sign-in failures",
      "an over-long email: the detail is in the server log",
      "true",
      String(logged),
    );
  });

  test("the database down: the signIn callback answers the generic error and logs the detail (in process)", async () => {
    // This process's own env() and database: a PostgreSQL URL where nothing listens.
    const deadPort = await freePort();
    const settings: Record<string, string> = {
      DATABASE_URL: `postgresql://nobody@127.0.0.1:${deadPort}/none`,
      TESSERA_TOKEN_KEYS: `k1:${"k".repeat(40)}`,
      NEXTAUTH_SECRET: "s".repeat(40),
      TESSERA_OIDC_ISSUER: "http://127.0.0.1:9/",
      TESSERA_OIDC_CLIENT_ID: "tessera",
      TESSERA_OIDC_CLIENT_SECRET: "secret",
      TESSERA_LOCAL_LOGIN: "false", // next-auth's CredentialsProvider is a CommonJS default export Next's bundler unwraps; plain Node does not
    };
    const saved = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
    Object.assign(process.env, settings);
    const { authOptions } = await import("../../lib/auth/auth-options.ts");
    const { env } = await import("../../lib/env.ts");
    const { closeDatabase } = await import("../../lib/db.ts");
    env(); // read (and cached) now, so the rest of this file sees its own environment again
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const logged: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args.join(" "));
    let observed: string;
    try {
      const signIn = authOptions().callbacks!.signIn!;
      const profile = { sub: "down-1", email: "down@example.test", email_verified: true, groups: [] };
      const result = await signIn({
        user: { id: "down-1" },
        account: { provider: "oidc", type: "oauth", providerAccountId: "down-1" },
        profile,
      } as Parameters<typeof signIn>[0]);
      observed = `returns ${JSON.stringify(result)}`;
    } catch (error) {
      observed = `throws ${JSON.stringify(String((error as Error).message).split("\n")[0])}`;
    } finally {
      console.error = original;
      await closeDatabase();
    }
    report.check(
      "SSO: other sign-in failures",
      "database unreachable: the signIn callback (in process)",
      'returns "/login?error=SignInFailed"',
      observed,
    );
    const detail = logged.find((line) => line.includes("SSO sign-in failed"));
    assert.ok(
      detail && /Can.t reach database server|ECONNREFUSED/i.test(detail),
      `the log names the cause: ${logged.join(" | ") || "nothing logged"}`,
    );
    report.check(
      "SSO: other sign-in failures",
      "database unreachable: the detail is in the server log",
      "true",
      String(Boolean(detail)),
    );
  });
});
