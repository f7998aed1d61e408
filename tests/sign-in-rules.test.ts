import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ssoRole } from "../lib/auth/sso-roles.ts";
import { safeRedirect } from "../lib/auth/auth-options.ts";
import { clearLoginFailures, loginBlockedFor, MAX_FAILURES, MAX_FAILURES_PER_ADDRESS, recordLoginFailure } from "../lib/users/login-throttle.ts";

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
    assert.equal(ssoRole({ email: "boss@example.com", email_verified: true, groups: [] }, settings), "admin", "verified: admin");
    assert.equal(ssoRole({ email: "boss@example.com", email_verified: false, groups: [] }, settings), "viewer");
  });
  test("unmapped users get the default role, or are refused with none", () => {
    assert.equal(ssoRole({ groups: ["unknown"] }, settings), "viewer");
    assert.equal(ssoRole({}, { ...settings, TESSERA_OIDC_DEFAULT_ROLE: "none" }), null);
  });
  test("dotted claims reach nested values (Keycloak realm roles)", () => {
    assert.equal(ssoRole({ realm_access: { roles: ["ops"] } }, { ...settings, TESSERA_OIDC_ROLE_CLAIM: "realm_access.roles" }), "connectionManager");
  });
});

describe("redirects after sign-in", () => {
  const base = "https://tessera.example.com";
  test("stay on this origin", () => {
    assert.equal(safeRedirect("/tokens", base), `${base}/tokens`);
    assert.equal(safeRedirect(`${base}/account`, base), `${base}/account`);
    for (const hostile of ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http://tessera.example.com/x"]) {
      assert.equal(safeRedirect(hostile, base), base, hostile);
    }
  });
});

describe("login throttling", () => {
  test(`blocks a username after ${MAX_FAILURES} failures in 15 minutes, whether or not it exists, until the window ends`, () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const user = `u-${Math.random()}`;
    for (let i = 0; i < MAX_FAILURES - 1; i++) recordLoginFailure(user, "10.0.0.1", now);
    assert.equal(loginBlockedFor(user, "10.0.0.2", now), 0);
    recordLoginFailure(user, "10.0.0.1", now);
    assert.equal(loginBlockedFor(user, "10.0.0.2", now + 60_000), 14, "minutes left");
    assert.equal(loginBlockedFor(user.toUpperCase(), "10.0.0.2", now), 15, "usernames compare case-insensitively");
    assert.equal(loginBlockedFor(user, "10.0.0.2", now + 15 * 60_000), 0, "the window ends");
    clearLoginFailures(user);
  });
  test(`blocks an address after ${MAX_FAILURES_PER_ADDRESS} failures across usernames`, () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const address = `192.0.2.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) recordLoginFailure(`spray-${i}-${Math.random()}`, address, now);
    assert.ok(loginBlockedFor("someone-new", address, now) > 0);
    assert.equal(loginBlockedFor("someone-new", "192.0.2.254", now), 0);
  });
});
