import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeJwt } from "jose";
import { engine } from "./helpers/database.ts";
import { admin, api, tessera } from "./helpers/file-instance.ts";
import { assertInvalidToken, sha256, createToken, setUpTokensInstance } from "./helpers/tokens.ts";
import { sleepUntil } from "./helpers/wait.ts";
import { clearRateLimits } from "./helpers/rate-limits.ts";

// Application tokens as credentials: expiry, where a token may be sent,
// tampered and forged tokens at both gates, API versions, and the throttle
// on bad tokens.

setUpTokensInstance();

// The expiry case runs after the others have warmed the server: its token lives 3 s (whole seconds, so 2-3 s), and
// a first request to a cold server on a loaded machine can take most of that.
describe(`application tokens as credentials on ${engine}`, () => {
  test("Bearer (any case) or ?token=; both different is a 400", async () => {
    const { token } = await createToken("viewer");
    const other = await createToken("viewer");
    assert.equal((await api("/api/me", { headers: { authorization: `BEARER ${token}` } })).status, 200);
    assert.equal((await api(`/api/me?token=${token}`)).status, 200);
    assert.equal((await api(`/api/me?token=${token}`, { token })).status, 200, "the same token twice is fine");
    const both = await api(`/api/me?token=${other.token}`, { token });
    assert.equal(both.status, 400);
    assert.equal(both.body, "Different tokens in the Authorization header and the token query parameter");
    const basic = await api("/api/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    assert.equal(basic.status, 400);
    assert.equal(basic.body, "Unsupported Authorization scheme: use Bearer <token>");
  });

  test("tampered, forged and garbage tokens get 403 with WWW-Authenticate, from the edge gate too", async () => {
    const { token } = await createToken("admin");
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...payload, role: "admin", exp: payload.exp + 1000 })).toString(
      "base64url",
    );
    const flipped = s!.slice(0, -2) + (s!.endsWith("A") ? "BB" : "AA");
    for (const bad of [
      `${h}.${forgedPayload}.${s}`,
      `${h}.${p}.${flipped}`,
      `${h}.${p}.`,
      "garbage",
      `${token}x`,
      sha256(token),
    ]) {
      assertInvalidToken(await api("/api/me", { token: bad }));
      assertInvalidToken(await api("/api/tokens", { token: bad }));
    }
    // A path no route handles: only middleware.ts can have answered, so the edge gate verifies on its own.
    assertInvalidToken(await api("/api/no-such-route", { token: "garbage" }));
    assert.equal((await api("/api/no-such-route", { token })).status, 404);
  });

  test("x-middleware-subrequest changes nothing: the handler refuses on its own", async () => {
    const viewer = await createToken("viewer");
    for (const value of [
      "middleware",
      "middleware:middleware:middleware:middleware:middleware",
      "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
      "pages/_middleware",
    ]) {
      const anonymous = await api("/api/tokens", { headers: { "x-middleware-subrequest": value } });
      assert.equal(anonymous.status, 401, value);
      const asViewer = await api("/api/tokens", { token: viewer.token, headers: { "x-middleware-subrequest": value } });
      assert.equal(asViewer.status, 403, value);
      assert.equal(asViewer.body, "Forbidden");
    }
  });

  test("Accept: application/json;version=N selects the version; unknown versions get 406", async () => {
    assert.equal((await admin("/api/tokens", { headers: { accept: "application/json;version=1" } })).status, 200);
    assert.equal((await admin("/api/tokens", { headers: { accept: "application/json" } })).status, 200);
    const unknown = await admin("/api/tokens", { headers: { accept: "application/json;version=2" } });
    assert.equal(unknown.status, 406);
    assert.equal(unknown.body, "API version 2 is not supported; this server speaks version 1");
  });

  test("an expired token is refused, and listed as Invalid", async () => {
    const { token, hash } = await createToken("viewer", new Date(Date.now() + 3_000).toISOString());
    assert.equal((await api("/api/me", { token })).status, 200);
    const listed = async () =>
      ((await admin("/api/tokens")).body as { hash: string; status: string }[]).find((t) => t.hash === hash)?.status;
    assert.equal(await listed(), "Valid", "the list (now cached) shows it Valid");
    // The token's own exp (second precision): valid while now < exp, so a moment after it the token is refused.
    await sleepUntil(decodeJwt(token).exp! * 1000 + 100);
    assertInvalidToken(await api("/api/me", { token }));
    const row = (await admin(`/api/tokens/${hash}`)).body;
    assert.equal(row.status, "Invalid");
    assert.equal(await listed(), "Invalid", "the cached list is rebuilt once a token in it expires");
  });

  test("repeated bad tokens from one address are throttled with 429 and Retry-After", async () => {
    // On PostgreSQL the count outlives a restart (it is the cluster's, in the database): this test starts it over.
    await tessera.restart({ TESSERA_AUTH_FAILURES_PER_MINUTE: "5" }, async () => {
      if (engine === "postgres") await clearRateLimits(tessera.env.DATABASE_URL!);
    });
    for (let i = 0; i < 5; i++) assertInvalidToken(await api("/api/me", { token: `bad-${i}` }));
    const throttled = await api("/api/me", { token: "bad-6" });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body, "Too many requests with invalid tokens from this address; try again later");
    const retry = Number(throttled.headers.get("retry-after"));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    // A forged X-Forwarded-For does not escape it (the proxy header is not trusted by default).
    const spoofed = await api("/api/me", { token: "bad-7", headers: { "x-forwarded-for": "203.0.113.9" } });
    assert.equal(spoofed.status, 429);
    assert.equal((await api("/api/health")).status, 200, "requests without a token are not affected");
    assert.equal(
      (await admin("/api/me")).status,
      200,
      "a correctly signed token from the same address is still served",
    );
  });
});
