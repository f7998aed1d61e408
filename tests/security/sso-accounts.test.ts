import { after, before, describe, test } from "node:test";
import { ssoRole } from "../../lib/auth/sso-roles.ts";
import { call, type Instance } from "../helpers/instance.ts";
import {
  alertOf,
  badHops,
  landing,
  roleOf,
  startSsoInstance,
  walkSsoSignIn,
  type OidcProvider,
  type SsoWalk,
} from "../helpers/oidc.ts";
import { securityReport } from "../helpers/report.ts";

// SSO hardening, against a real OpenID Connect provider (e2e/oidc-server.mjs)
// and the production build: admin emails count only when the issuer says
// email_verified: true, and an identity whose username is already taken is
// refused with a sentence on the login page, never merged into that account.
// Any other failure while signing in: sso-failures.test.ts.

const report = securityReport(import.meta.filename);
const LOCAL_EMAIL_USER = "ops@example.test"; // a local account named like the OIDC user "ops"'s email
const CONFLICT_SENTENCE =
  "This sign-in was refused: its email is already the username of another Tessera account. Ask an administrator.";

let tessera: Instance;
let oidc: OidcProvider;
/** The server's NEXTAUTH_URL: next-auth's cookies live on that host. */
let app: string;

before(async () => {
  ({ tessera, oidc, app } = await startSsoInstance([[LOCAL_EMAIL_USER, "editor"]]));
});
after(async () => {
  await oidc?.stop();
  await tessera?.close();
});

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
        await roleOf(app, walk),
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
    report.check(
      "SSO: username collisions",
      "first subject with carol@example.test",
      "viewer",
      await roleOf(app, first),
    );
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
    report.check("SSO: username collisions", "first subject again afterwards", "viewer", await roleOf(app, again));
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
    const outcomes = await Promise.all(walks.map((walk) => roleOf(app, walk)));
    report.check(
      "SSO: username collisions",
      "5 concurrent first sign-ins of one subject: roles",
      "viewer, viewer, viewer, viewer, viewer",
      outcomes.join(", "),
    );
  });

  test("no redirect on the way carries more than one line, and nothing answers 500", async () => {
    const walk = await walkSsoSignIn(app, "mallory"); // email "admin": the local admin's username
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
      badHops(walk),
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
