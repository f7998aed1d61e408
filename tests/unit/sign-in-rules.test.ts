import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ssoRole } from "../../lib/auth/sso-roles.ts";
import { safeCallbackPath, safeRedirect } from "../../lib/auth/safe-redirect.ts";
import {
  beginLoginAttempt,
  GLOBAL_FREE_FAILURES,
  MAX_FAILURES,
  MAX_FAILURES_PER_ADDRESS,
  MAX_SLOWDOWN_MS,
  SLOWDOWN_STEP_MS,
} from "../../lib/users/login-throttle.ts";

const settings = {
  TESSERA_ADMIN_EMAILS: "Boss@Example.com, second@example.com",
  TESSERA_OIDC_ROLE_CLAIM: "groups",
  TESSERA_OIDC_ROLE_MAP: "tessera-admins=admin,ops=connectionManager,readers=viewer",
  TESSERA_OIDC_DEFAULT_ROLE: "viewer" as const,
};

describe("SSO role mapping", () => {
  test("the most powerful mapped role wins; strings and arrays both work", () => {
    assert.equal(ssoRole({ groups: ["readers", "ops"] }, settings), "connectionManager");
    assert.equal(ssoRole({ groups: ["readers", "tessera-admins"] }, settings), "admin");
    assert.equal(ssoRole({ groups: "ops" }, settings), "connectionManager");
  });
  test("admin emails win, but only when the issuer says the email is verified", () => {
    assert.equal(
      ssoRole({ email: "boss@example.com", email_verified: true, groups: [] }, settings),
      "admin",
      "verified: admin",
    );
    assert.equal(ssoRole({ email: "boss@example.com", email_verified: false, groups: [] }, settings), "viewer");
  });
  test("unmapped users get the default role, or are refused with none", () => {
    assert.equal(ssoRole({ groups: ["unknown"] }, settings), "viewer");
    assert.equal(ssoRole({}, { ...settings, TESSERA_OIDC_DEFAULT_ROLE: "none" }), null);
  });
  test("dotted claims reach nested values (Keycloak realm roles)", () => {
    assert.equal(
      ssoRole({ realm_access: { roles: ["ops"] } }, { ...settings, TESSERA_OIDC_ROLE_CLAIM: "realm_access.roles" }),
      "connectionManager",
    );
  });
});

describe("redirects after sign-in", () => {
  const base = "https://tessera.example.com";
  test("stay on this origin", () => {
    assert.equal(safeRedirect("/tokens", base), `${base}/tokens`);
    assert.equal(safeRedirect(`${base}/account`, base), `${base}/account`);
    for (const hostile of [
      "https://evil.example/x",
      "//evil.example/x",
      "/\\evil.example",
      "javascript:alert(1)",
      "http://tessera.example.com/x",
    ]) {
      assert.equal(safeRedirect(hostile, base), base, hostile);
    }
  });
});

describe("redirects after sign-in: the callbackUrl path", () => {
  test("keeps same-site paths and refuses what a browser would follow elsewhere", () => {
    assert.equal(safeCallbackPath("/tokens/mqtt?x=1#a"), "/tokens/mqtt?x=1#a");
    for (const hostile of [
      "/\t/evil.example",
      "/\n/evil.example",
      "/\r\nx",
      "//evil.example",
      "/\\evil.example",
      "/%09/evil.example".replace("%09", "\t"),
      "https://evil.example",
      "javascript:alert(1)",
      "",
    ]) {
      assert.equal(safeCallbackPath(hostile), "/tokens", JSON.stringify(hostile));
    }
    assert.equal(safeCallbackPath(undefined), "/tokens", "no value");
    assert.equal(
      safeRedirect("/\t/evil.example", "https://t.example"),
      "https://t.example",
      "next-auth's redirect callback uses the same rule",
    );
  });
});

describe("login throttling", () => {
  const fail = async (username: string, address: string, now: number) => {
    const attempt = await beginLoginAttempt(username, address, now);
    assert.equal(attempt.blocked, false, `${username} from ${address} should be allowed`);
  };
  test(`blocks a username from one address after ${MAX_FAILURES} failures, not from another; whether or not it exists`, async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const user = `u-${Math.random()}`;
    for (let i = 0; i < MAX_FAILURES; i++) await fail(user, "10.0.0.1", now);
    assert.deepEqual(
      await beginLoginAttempt(user, "10.0.0.1", now + 60_000),
      { blocked: true, minutes: 14 },
      "minutes left",
    );
    assert.deepEqual(
      await beginLoginAttempt(user.toUpperCase(), "10.0.0.1", now),
      { blocked: true, minutes: 15 },
      "usernames compare case-insensitively",
    );
    assert.equal((await beginLoginAttempt(user, "10.0.0.2", now)).blocked, false, "another address is not locked out");
    assert.equal((await beginLoginAttempt(user, "10.0.0.1", now + 15 * 60_000)).blocked, false, "the window ends");
  });
  test("a success takes its attempt back and starts the pair over", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const user = `s-${Math.random()}`;
    for (let i = 0; i < MAX_FAILURES - 1; i++) await fail(user, "10.0.0.3", now);
    const right = await beginLoginAttempt(user, "10.0.0.3", now);
    assert.ok(!right.blocked, "the fifth attempt is allowed");
    if (!right.blocked) await right.succeeded();
    for (let i = 0; i < MAX_FAILURES; i++) await fail(user, "10.0.0.3", now);
  });
  test(`blocks an address after ${MAX_FAILURES_PER_ADDRESS} failures across usernames`, async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const address = `192.0.2.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) await fail(`spray-${i}-${Math.random()}`, address, now);
    assert.equal((await beginLoginAttempt("someone-new", address, now)).blocked, true, "the address is blocked");
    assert.equal(
      (await beginLoginAttempt("someone-new", "192.0.2.254", now)).blocked,
      false,
      "other addresses are not",
    );
  });
  test(`a burst of concurrent attempts gets exactly ${MAX_FAILURES} through`, async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const user = `c-${Math.random()}`;
    const attempts = await Promise.all(
      Array.from({ length: 3 * MAX_FAILURES }, () => beginLoginAttempt(user, "10.0.0.4", now)),
    );
    assert.equal(attempts.filter((attempt) => !attempt.blocked).length, MAX_FAILURES);
  });
  test("an attempt refused by its address's limit does not count against its pair", async () => {
    const start = Date.parse("2026-01-01T00:00:00Z");
    const later = start + 10 * 60_000;
    const address = `192.0.2.${Math.floor(Math.random() * 250)}`;
    const user = `p-${Math.random()}`;
    for (let i = 1; i < MAX_FAILURES_PER_ADDRESS; i++) await fail(`spray2-${i}-${Math.random()}`, address, start);
    await fail(user, address, later); // the address's last free failure; the pair's window starts here
    for (let i = 0; i < MAX_FAILURES + 2; i++) {
      assert.equal((await beginLoginAttempt(user, address, later)).blocked, true, "the address is blocked");
    }
    // The address's window ends before the pair's: the pair has its first failure only.
    const afterAddress = start + 15 * 60_000;
    for (let i = 1; i < MAX_FAILURES; i++) await fail(user, address, afterAddress);
    assert.equal((await beginLoginAttempt(user, address, afterAddress)).blocked, true, "then the pair's limit");
  });
  test("failures from many addresses slow a username down, up to a bound, and never block it", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const user = `g-${Math.random()}`;
    const delays: number[] = [];
    for (let i = 0; i < GLOBAL_FREE_FAILURES + 40; i++) {
      const attempt = await beginLoginAttempt(user, `198.18.${Math.floor(i / 200)}.${i % 200}`, now);
      assert.equal(attempt.blocked, false, `attempt ${i} is not blocked`);
      if (!attempt.blocked) delays.push(attempt.delayMs);
    }
    assert.equal(delays[GLOBAL_FREE_FAILURES - 1], 0, "free failures are not slowed");
    assert.equal(delays[GLOBAL_FREE_FAILURES], SLOWDOWN_STEP_MS, "then one step");
    assert.equal(delays.at(-1), MAX_SLOWDOWN_MS, "bounded");
  });
});
