import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ssoRole } from "../../lib/auth/sso-roles.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { startOidcProvider, walkSsoSignIn, type OidcProvider, type SsoWalk } from "../helpers/oidc.ts";
import { securityReport } from "../helpers/report.ts";
import { freePort } from "../helpers/server.ts";

// SSO hardening, against a real OpenID Connect provider (e2e/oidc-server.mjs)
// and the production build: admin emails count only when the issuer says
// email_verified: true, and an identity whose username is already taken is
// refused with a sentence on the login page, never merged into that account.

const report = securityReport(import.meta.filename);
const ADMIN_EMAILS = "dave@example.test,erin@example.test,frank@example.test";
const LOCAL_EMAIL_USER = "ops@example.test"; // a local account named like the OIDC user "ops"'s email
const CONFLICT_SENTENCE =
  "This sign-in was refused: its email is already the username of another Tessera account. Ask an administrator.";
const GENERIC_SENTENCE = "Sign-in failed on the server. Try again later; if it keeps failing, tell an administrator.";

let tessera: Instance;
let oidc: OidcProvider;
/** The server's NEXTAUTH_URL (tessera start's default, http://localhost:PORT): next-auth's cookies live on that host. */
let app: string;

before(async () => {
  const oidcPort = await freePort();
  tessera = await createInstance({
    TESSERA_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
    TESSERA_OIDC_CLIENT_ID: "tessera",
    TESSERA_OIDC_CLIENT_SECRET: "tessera-e2e-secret",
    TESSERA_OIDC_ROLE_CLAIM: "groups",
    TESSERA_OIDC_ROLE_MAP: "tessera-admins=admin",
    TESSERA_OIDC_DEFAULT_ROLE: "viewer",
    TESSERA_ADMIN_EMAILS: ADMIN_EMAILS,
  });
  // The CLI needs the embedded data dir for itself: create the local account while the server is down.
  await tessera.restart({}, async () => {
    const created = await tessera.cli(["users", "create", LOCAL_EMAIL_USER, "--role", "editor"]);
    assert.equal(created.code, 0, `users create ${LOCAL_EMAIL_USER}: ${created.output}`);
  });
  app = tessera.url.replace("127.0.0.1", "localhost");
  oidc = await startOidcProvider(oidcPort, app);
});
after(async () => {
  await oidc?.stop();
  await tessera?.close();
});

/** Where the walk ended: "200 /login?error=X" or "302 /tokens (signed in)". */
function landing(walk: SsoWalk): string {
  const url = new URL(walk.final.url);
  return `${walk.final.status} ${url.pathname}${url.search}${walk.session ? " (signed in)" : ""}`;
}

/** The alert sentence the login page shows, if any. */
function alertOf(body: string): string | undefined {
  return /role="alert"[^>]*>([^<]*)</.exec(body)?.[1];
}

async function roleOf(walk: SsoWalk): Promise<string> {
  if (!walk.session) return `not signed in (${landing(walk)})`;
  const me = await call(`${app}/api/me`, { headers: { cookie: `next-auth.session-token=${walk.session}` } });
  return me.status === 200 ? String((me.body as { role: string }).role) : `GET /api/me ${me.status}`;
}

/** The server log lines (stdout and stderr) printed after `mark` characters. */
const logSince = (mark: number) => tessera.server.output().slice(mark);

describe("SSO: TESSERA_ADMIN_EMAILS needs email_verified: true", () => {
  const settings = {
    TESSERA_ADMIN_EMAILS: "boss@example.com",
    TESSERA_OIDC_ROLE_CLAIM: "groups",
    TESSERA_OIDC_ROLE_MAP: "",
    TESSERA_OIDC_DEFAULT_ROLE: "viewer" as const,
  };
  const ABSENT = Symbol("absent");
  const variants: [label: string, value: unknown, expected: string][] = [
    ["absent", ABSENT, "viewer"],
    ['"false" (a string)', "false", "viewer"],
    ['"true" (a string)', "true", "viewer"],
    ["false", false, "viewer"],
    ["1", 1, "viewer"],
    ["null", null, "viewer"],
    ["true", true, "admin"],
  ];
  test("ssoRole: a listed email is admin only with the boolean true", () => {
    for (const [label, value, expected] of variants) {
      const profile: Record<string, unknown> = { sub: "s1", email: "Boss@Example.com", groups: [] };
      if (value !== ABSENT) profile.email_verified = value;
      report.check(
        "SSO: admin emails need a verified email",
        `email_verified ${label} (ssoRole, in process)`,
        expected,
        String(ssoRole(profile, settings)),
      );
    }
  });

  test("end to end: the role an SSO sign-in gets, by the ID token's email_verified", async () => {
    const users: [login: string, label: string, expected: string][] = [
      ["dave", "absent", "viewer"],
      ["erin", '"false" (a string)', "viewer"],
      ["frank", "true (the control)", "admin"],
    ];
    for (const [login, label, expected] of users) {
      const walk = await walkSsoSignIn(app, login);
      report.check(
        "SSO: admin emails need a verified email",
        `listed email, email_verified ${label}: role after sign-in`,
        expected,
        await roleOf(walk),
      );
    }
  });
});

describe("SSO: an identity whose username is taken", () => {
  test("an email equal to a local account's username: refused on the login page, the local account untouched", async () => {
    const mark = tessera.server.output().length;
    const walk = await walkSsoSignIn(app, "ops");
    report.check(
      "SSO: username collisions",
      "email equal to a local username: where the browser lands",
      "200 /login?error=AccountConflict",
      landing(walk),
    );
    report.check(
      "SSO: username collisions",
      "email equal to a local username: the login page says",
      CONFLICT_SENTENCE,
      String(alertOf(walk.final.body)),
    );
    const line = logSince(mark)
      .split("\n")
      .find((text) => text.includes("SSO sign-in refused"));
    report.check(
      "SSO: username collisions",
      "email equal to a local username: the server log",
      `warn: SSO sign-in refused: subject "ops" would take the username "${LOCAL_EMAIL_USER}", which belongs to a local account`,
      String(line?.replace(/^.*\[tessera\] /, "")),
    );
  });

  test("the same email from a second subject: refused; the first subject still signs in to its own account", async () => {
    const first = await walkSsoSignIn(app, "carol");
    report.check("SSO: username collisions", "first subject with carol@example.test", "viewer", await roleOf(first));
    const second = await walkSsoSignIn(app, "carol2");
    report.check(
      "SSO: username collisions",
      "second subject with carol@example.test: where the browser lands",
      "200 /login?error=AccountConflict",
      landing(second),
    );
    report.check(
      "SSO: username collisions",
      "second subject with carol@example.test: the login page says",
      CONFLICT_SENTENCE,
      String(alertOf(second.final.body)),
    );
    const again = await walkSsoSignIn(app, "carol");
    report.check("SSO: username collisions", "first subject again afterwards", "viewer", await roleOf(again));
  });

  test("an unverified email does not take the username of the address's owner", async () => {
    const squatter = await walkSsoSignIn(app, "squatter"); // email grace@example.test, email_verified absent
    const name = async (walk: SsoWalk) =>
      walk.session
        ? String(
            (
              (await call(`${app}/api/me`, { headers: { cookie: `next-auth.session-token=${walk.session}` } }))
                .body as { name: string }
            ).name,
          )
        : landing(walk);
    report.check(
      "SSO: username collisions",
      "unverified grace@example.test (subject squatter) signs in first: username",
      "oidc:squatter",
      await name(squatter),
    );
    const owner = await walkSsoSignIn(app, "grace"); // the verified owner of grace@example.test
    report.check(
      "SSO: username collisions",
      "then the verified owner of grace@example.test: username",
      "grace@example.test",
      await name(owner),
    );
  });

  test("one new identity signing in 5 times at once: every time to the same, one account (a race is not a collision)", async () => {
    const walks = await Promise.all(Array.from({ length: 5 }, () => walkSsoSignIn(app, "zoe")));
    const outcomes = await Promise.all(walks.map(roleOf));
    report.check(
      "SSO: username collisions",
      "5 concurrent first sign-ins of one subject: roles",
      "viewer, viewer, viewer, viewer, viewer",
      outcomes.join(", "),
    );
  });

  test("no redirect on the way carries more than one line, and nothing answers 500", async () => {
    const walk = await walkSsoSignIn(app, "mallory"); // email "admin": the local admin's username
    const bad = walk.hops.filter((hop) => hop.status >= 500 || /[\r\n]/.test(decodeURIComponent(hop.location ?? "")));
    report.check(
      "SSO: username collisions",
      'email "admin" (the local admin\'s username): where the browser lands',
      "200 /login?error=AccountConflict",
      landing(walk),
    );
    report.check(
      "SSO: username collisions",
      'email "admin": hops answering 5xx or redirecting to multi-line text',
      "none",
      bad.map((hop) => `${hop.status} ${hop.url}`).join(", ") || "none",
    );
  });
});

describe("SSO: any other failure while signing in", () => {
  test("a claim the database cannot store: the login page shows a generic sentence, the detail goes to the log", async () => {
    const mark = tessera.server.output().length;
    const walk = await walkSsoSignIn(app, `${"x".repeat(230)}`); // username <login>@example.test: past the 200-character column
    const bad = walk.hops.filter((hop) => hop.status >= 500 || /[\r\n]/.test(decodeURIComponent(hop.location ?? "")));
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
      bad.map((hop) => `${hop.status} ${hop.url}`).join(", ") || "none",
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

// Last: in embedded mode reading the database restarts the server on another port (the provider knows only this one).
describe("SSO: afterwards", () => {
  test("the accounts are as they were: one row per username, the local ones still local", async () => {
    const rows = (
      JSON.parse(await tessera.dumpDatabase()) as {
        users: { username: string; provider: string; subject: string | null }[];
      }
    ).users;
    const holders = (username: string) =>
      rows
        .filter((row) => row.username === username)
        .map((row) => `${row.provider}:${row.subject ?? "-"}`)
        .join(", ");
    report.check("SSO: username collisions", `rows named ${LOCAL_EMAIL_USER}`, "local:-", holders(LOCAL_EMAIL_USER));
    report.check("SSO: username collisions", "rows named admin", "local:-", holders("admin"));
    report.check(
      "SSO: username collisions",
      "rows named carol@example.test",
      "oidc:carol",
      holders("carol@example.test"),
    );
    report.check(
      "SSO: username collisions",
      "rows named zoe@example.test (5 concurrent first sign-ins)",
      "oidc:zoe",
      holders("zoe@example.test"),
    );
    report.check(
      "SSO: username collisions",
      "rows for the refused subjects",
      "none",
      rows
        .filter((row) => ["ops", "carol2", "mallory"].includes(row.subject ?? ""))
        .map((row) => row.username)
        .join(", ") || "none",
    );
  });
});
