import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../../lib/api/errors.ts";
import { checkCronSecret, CRON_OFF, CRON_REFUSED } from "../../lib/auth/cron-secret.ts";
import { EnvError, parseEnv } from "../../lib/env.ts";

// Vercel (README, Deploying): the embedded database refuses to start there, and the cron route's gate.

const POSTGRES = "postgresql://tessera@db.example.com:5432/tessera";

test("on Vercel (VERCEL=1) the embedded database refuses to start, with a sentence saying to set DATABASE_URL", () => {
  assert.throws(
    () => parseEnv({ VERCEL: "1" }),
    (error: unknown) =>
      error instanceof EnvError &&
      /DATABASE_URL: on Vercel \(VERCEL=1\) set DATABASE_URL to a PostgreSQL database/.test(error.message),
  );
  assert.throws(() => parseEnv({ VERCEL: "1", DATABASE_URL: "" }), EnvError);
  const vercel = parseEnv({ VERCEL: "1", DATABASE_URL: POSTGRES });
  assert.equal(vercel.engine, "postgres");
  assert.equal(vercel.VERCEL, true);
  // Anywhere else (VERCEL unset, or not "1") the embedded database is the default, as before.
  assert.equal(parseEnv({}).engine, "pglite");
  assert.equal(parseEnv({}).VERCEL, false);
  assert.equal(parseEnv({ VERCEL: "0" }).engine, "pglite");
});

test("on Vercel the client address is Vercel's X-Forwarded-For: TESSERA_TRUST_PROXY is on unless set, and false is refused", () => {
  // From an independent attack: with it off on Vercel, where no Tessera server stamps the peer address, a client
  // chose its own address by header (40 bad tokens, 40 addresses, no 429) or all shared "unknown" (one flood
  // locked every user's sign-in).
  assert.equal(parseEnv({ VERCEL: "1", DATABASE_URL: POSTGRES }).TESSERA_TRUST_PROXY, true);
  assert.equal(
    parseEnv({ VERCEL: "1", DATABASE_URL: POSTGRES, TESSERA_TRUST_PROXY: "true" }).TESSERA_TRUST_PROXY,
    true,
  );
  assert.throws(
    () => parseEnv({ VERCEL: "1", DATABASE_URL: POSTGRES, TESSERA_TRUST_PROXY: "false" }),
    /TESSERA_TRUST_PROXY: on Vercel \(VERCEL=1\) the client address comes from Vercel's X-Forwarded-For/,
  );
  // Elsewhere it stays off unless set (tessera start stamps the TCP peer's address).
  assert.equal(parseEnv({}).TESSERA_TRUST_PROXY, false);
  assert.equal(parseEnv({ TESSERA_TRUST_PROXY: "true" }).TESSERA_TRUST_PROXY, true);
});

test("CRON_SECRET: at least 16 characters", () => {
  assert.throws(() => parseEnv({ CRON_SECRET: "short" }), /CRON_SECRET: must be at least 16 characters/);
  assert.equal(parseEnv({ CRON_SECRET: "x".repeat(16) }).CRON_SECRET, "x".repeat(16));
});

test("the cron route's gate: Bearer CRON_SECRET exactly; refused outright while no secret is configured", () => {
  const secret = "s3cr3t-s3cr3t-s3cr3t";
  const request = (authorization?: string) =>
    new Request("http://tessera.test/api/cron/sweep", authorization ? { headers: { authorization } } : {});
  const refusal = (authorization: string | undefined, configured: string | undefined) => {
    try {
      checkCronSecret(request(authorization), configured);
      return "passed";
    } catch (error) {
      assert.ok(error instanceof ApiError);
      return `${error.code}: ${error.message}`;
    }
  };
  assert.equal(refusal(`Bearer ${secret}`, secret), "passed");
  for (const wrong of [undefined, "", secret, `Bearer ${secret}x`, `bearer ${secret}`, `Bearer  ${secret}`, "Bearer "])
    assert.equal(refusal(wrong, secret), `unauthenticated: ${CRON_REFUSED}`, String(wrong));
  assert.equal(refusal(`Bearer ${secret}`, undefined), `not_found: ${CRON_OFF}`);
  assert.equal(refusal("Bearer ", ""), `not_found: ${CRON_OFF}`);
});
