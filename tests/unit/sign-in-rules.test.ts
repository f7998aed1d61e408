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
  const fail = (username: string, address: string, now: number) => {
    const attempt = beginLoginAttempt(username, address, now);
    assert.equal(attempt.blocked, false, `${username} from ${address} should be allowed`);
  };
  test(`blocks a username from one address after ${MAX_FAILURES} failures, not from another; whether or not it exists`, () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const user = `u-${Math.random()}`;
    for (let i = 0; i < MAX_FAILURES; i++) fail(user, "10.0.0.1", now);
    assert.deepEqual(beginLoginAttempt(user, "10.0.0.1", now + 60_000), { blocked: true, minutes: 14 }, "minutes left");
    assert.deepEqual(
      beginLoginAttempt(user.toUpperCase(), "10.0.0.1", now),
      { blocked: true, minutes: 15 },
      "usernames compare case-insensitively",
    );
    assert.equal(beginLoginAttempt(user, "10.0.0.2", now).blocked, false, "another address is not locked out");
    assert.equal(beginLoginAttempt(user, "10.0.0.1", now + 15 * 60_000).blocked, false, "the window ends");
  });
  test("a success takes its attempt back and starts the pair over", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const user = `s-${Math.random()}`;
    for (let i = 0; i < MAX_FAILURES - 1; i++) fail(user, "10.0.0.3", now);
    const right = beginLoginAttempt(user, "10.0.0.3", now);
    assert.ok(!right.blocked, "the fifth attempt is allowed");
    if (!right.blocked) right.succeeded();
    for (let i = 0; i < MAX_FAILURES; i++) fail(user, "10.0.0.3", now);
  });
  test(`blocks an address after ${MAX_FAILURES_PER_ADDRESS} failures across usernames`, () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const address = `192.0.2.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) fail(`spray-${i}-${Math.random()}`, address, now);
    assert.equal(beginLoginAttempt("someone-new", address, now).blocked, true, "the address is blocked");
    assert.equal(beginLoginAttempt("someone-new", "192.0.2.254", now).blocked, false, "other addresses are not");
  });
  test("failures from many addresses slow a username down, up to a bound, and never block it", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const user = `g-${Math.random()}`;
    const delays: number[] = [];
    for (let i = 0; i < GLOBAL_FREE_FAILURES + 40; i++) {
      const attempt = beginLoginAttempt(user, `198.18.${Math.floor(i / 200)}.${i % 200}`, now);
      assert.equal(attempt.blocked, false, `attempt ${i} is not blocked`);
      if (!attempt.blocked) delays.push(attempt.delayMs);
    }
    assert.equal(delays[GLOBAL_FREE_FAILURES - 1], 0, "free failures are not slowed");
    assert.equal(delays[GLOBAL_FREE_FAILURES], SLOWDOWN_STEP_MS, "then one step");
    assert.equal(delays.at(-1), MAX_SLOWDOWN_MS, "bounded");
  });
});
